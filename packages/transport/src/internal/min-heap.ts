/** A node of {@link MinHeap}; `heapIndex` is maintained by the heap (-1 when not in it). */
export interface HeapNode {
  dueAt: number;
  /** Tie-breaker so equal `dueAt` keep insertion order. */
  seq: number;
  heapIndex: number;
}

function before(a: HeapNode, b: HeapNode): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
}

/** Binary min-heap ordered by `dueAt` then `seq`, with O(log n) removal of arbitrary nodes. */
export class MinHeap<T extends HeapNode> {
  readonly #nodes: T[] = [];

  get size(): number {
    return this.#nodes.length;
  }

  peek(): T | undefined {
    return this.#nodes[0];
  }

  push(node: T): void {
    node.heapIndex = this.#nodes.length;
    this.#nodes.push(node);
    this.#up(node.heapIndex);
  }

  pop(): T | undefined {
    const top = this.#nodes[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Remove `node` if it is in the heap; returns whether it was. */
  remove(node: T): boolean {
    const index = node.heapIndex;
    if (index < 0 || this.#nodes[index] !== node) return false;
    const last = this.#nodes.pop()!;
    node.heapIndex = -1;
    if (last !== node) {
      this.#nodes[index] = last;
      last.heapIndex = index;
      this.#down(index);
      this.#up(last.heapIndex);
    }
    return true;
  }

  #swap(i: number, j: number): void {
    const a = this.#nodes[i]!;
    const b = this.#nodes[j]!;
    this.#nodes[i] = b;
    this.#nodes[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }

  #up(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.#nodes[i]!, this.#nodes[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(start: number): void {
    const n = this.#nodes.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (left < n && before(this.#nodes[left]!, this.#nodes[best]!)) best = left;
      if (right < n && before(this.#nodes[right]!, this.#nodes[best]!)) best = right;
      if (best === i) return;
      this.#swap(i, best);
      i = best;
    }
  }
}
