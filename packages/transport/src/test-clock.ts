import type { Clock, ClockTimer } from "./clock.js";
import { type HeapNode, MinHeap } from "./internal/min-heap.js";

/** A {@link Clock} that moves only when told to. */
export interface TestClock extends Clock {
  /**
   * Moves time forward by `ms`: fires every timer due on the way, in order, each at its own due
   * time, and lets the promise work each one starts settle before the next.
   */
  advance(ms: number): Promise<void>;
  /** Advances to each pending timer in turn until none is left; returns how many fired. */
  runAll(options?: { readonly maxTimers?: number }): Promise<number>;
  /** Timers not yet fired or cancelled. */
  readonly pendingTimers: number;
}

class Pending implements HeapNode {
  dueAt: number;
  seq: number;
  heapIndex = -1;
  readonly callback: () => void;

  constructor(dueAt: number, seq: number, callback: () => void) {
    this.dueAt = dueAt;
    this.seq = seq;
    this.callback = callback;
  }
}

/** Lets the microtasks and immediate callbacks that fired timers started run to quiescence. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for deterministic tests, accepted by `createMemoryTransport({ clock })` (and its
 * broker) and by `createActor({ clock })`: a 5-attempt exponential policy with a 10-minute
 * `maxDuration` runs in milliseconds, and always the same way.
 *
 * @example
 * const clock = createTestClock();
 * const transport = createMemoryTransport({ clock });
 * // ... createActor({ transport, clock, ... }); publish ...
 * await clock.advance(60_000); // retries due within the minute happen now
 */
export function createTestClock(startMs: number = Date.now()): TestClock {
  const heap = new MinHeap<Pending>();
  let nowMs = startMs;
  let seq = 0;
  const fireNext = (untilMs: number): boolean => {
    const next = heap.peek();
    if (next === undefined || next.dueAt > untilMs) return false;
    heap.pop();
    nowMs = Math.max(nowMs, next.dueAt);
    next.callback();
    return true;
  };
  return {
    now: () => nowMs,
    setTimer(callback: () => void, delayMs: number): ClockTimer {
      const pending = new Pending(nowMs + Math.max(0, delayMs), seq++, callback);
      heap.push(pending);
      return { cancel: () => void heap.remove(pending), ref: () => undefined, unref: () => undefined };
    },
    async advance(ms: number) {
      const target = nowMs + Math.max(0, ms);
      await settle();
      while (fireNext(target)) await settle();
      nowMs = target;
      await settle();
    },
    async runAll(options = {}) {
      const maxTimers = options.maxTimers ?? 100_000;
      let fired = 0;
      await settle();
      while (fired < maxTimers && fireNext(Number.POSITIVE_INFINITY)) {
        fired += 1;
        await settle();
      }
      return fired;
    },
    get pendingTimers() {
      return heap.size;
    },
  };
}
