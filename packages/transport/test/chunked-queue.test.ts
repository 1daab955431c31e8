import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChunkedQueue } from "../src/internal/chunked-queue.js";

describe("ChunkedQueue", () => {
  it("behaves like a FIFO array across chunk boundaries", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 3000 }), { maxLength: 40 }), (ops) => {
        const queue = new ChunkedQueue<number>();
        const model: number[] = [];
        const got: (number | undefined)[] = [];
        const want: (number | undefined)[] = [];
        let next = 0;
        for (const op of ops) {
          if (op < 0) {
            got.push(queue.shift());
            want.push(model.shift());
          } else {
            // Push a run, then shift a part of it, to cross boundaries in both directions.
            for (let i = 0; i < op; i++) {
              queue.push(next);
              model.push(next++);
            }
            for (let i = 0; i < op / 2; i++) {
              got.push(queue.shift());
              want.push(model.shift());
            }
          }
          if (queue.length !== model.length) return false;
        }
        while (model.length > 0) {
          got.push(queue.shift());
          want.push(model.shift());
        }
        expect(got).toEqual(want);
        expect(queue.shift()).toBeUndefined();
        return queue.length === 0;
      }),
      { numRuns: 100 },
    );
  });

  it("handles a million items in O(1) per operation", () => {
    const queue = new ChunkedQueue<number>();
    const started = performance.now();
    for (let i = 0; i < 1_000_000; i++) queue.push(i);
    let sum = 0;
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) sum += v;
    expect(sum).toBe((999_999 * 1_000_000) / 2);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
