import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type HeapNode, MinHeap } from "../src/internal/min-heap.js";

const node = (dueAt: number): HeapNode => ({ dueAt, seq: 0, heapIndex: -1 });

describe("MinHeap", () => {
  it("pops in (dueAt, seq) order after arbitrary pushes and removals", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 200 }),
        (ops) => {
          const heap = new MinHeap<HeapNode>();
          const kept: HeapNode[] = [];
          ops.forEach(([dueAt, remove], seq) => {
            const n = { ...node(dueAt), seq };
            heap.push(n);
            kept.push(n);
            if (remove && kept.length > 0) {
              const victim = kept.splice(seq % kept.length, 1)[0]!;
              expect(heap.remove(victim)).toBe(true);
              expect(heap.remove(victim)).toBe(false);
            }
          });
          const popped: HeapNode[] = [];
          for (let n = heap.pop(); n !== undefined; n = heap.pop()) popped.push(n);
          const expected = [...kept].sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
          expect(popped).toEqual(expected);
          expect(heap.size).toBe(0);
        },
      ),
    );
  });

  it("keeps heapIndex in sync and resets it on removal", () => {
    const heap = new MinHeap<HeapNode>();
    const nodes = [5, 3, 8, 1].map((d, seq) => ({ ...node(d), seq }));
    for (const n of nodes) heap.push(n);
    expect(heap.peek()?.dueAt).toBe(1);
    heap.remove(nodes[3]!);
    expect(nodes[3]!.heapIndex).toBe(-1);
    expect(heap.peek()?.dueAt).toBe(3);
    expect(heap.size).toBe(3);
  });
});
