const CHUNK_SIZE = 1024;

interface Chunk<T> {
  readonly items: (T | undefined)[];
  next: Chunk<T> | undefined;
}

function newChunk<T>(): Chunk<T> {
  return { items: new Array<T | undefined>(CHUNK_SIZE), next: undefined };
}

/**
 * FIFO queue made of fixed-size chunks in a linked list: O(1) push/shift, and memory is released
 * chunk by chunk as the queue drains (unlike `Array#shift`, which is O(n) on large arrays, or a ring
 * buffer, which never shrinks).
 */
export class ChunkedQueue<T> {
  #head: Chunk<T> = newChunk<T>();
  #tail: Chunk<T> = this.#head;
  #headIndex = 0;
  #tailIndex = 0;
  #length = 0;
  // One drained chunk kept for reuse so a queue oscillating around a chunk boundary does not churn.
  #spare: Chunk<T> | undefined;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#tailIndex === CHUNK_SIZE) {
      const chunk = this.#spare ?? newChunk<T>();
      this.#spare = undefined;
      this.#tail.next = chunk;
      this.#tail = chunk;
      this.#tailIndex = 0;
    }
    this.#tail.items[this.#tailIndex++] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#head.items[this.#headIndex];
    this.#head.items[this.#headIndex++] = undefined;
    this.#length--;
    if (this.#headIndex === CHUNK_SIZE) {
      const drained = this.#head;
      const next = drained.next;
      if (next === undefined) {
        // Single chunk, fully consumed: reuse it in place.
        this.#tailIndex = 0;
      } else {
        drained.next = undefined;
        this.#head = next;
        this.#spare = drained;
      }
      this.#headIndex = 0;
    } else if (this.#length === 0) {
      // Empty: rewind so a steady trickle stays in the first chunk.
      this.#head.next = undefined;
      this.#tail = this.#head;
      this.#headIndex = 0;
      this.#tailIndex = 0;
    }
    return item;
  }
}
