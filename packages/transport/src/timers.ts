import { type Clock, systemClock } from "./clock.js";
import { type TimerNode, TimerQueue } from "./internal/timer-queue.js";

/** Many one-shot callbacks on one clock timer (see {@link createTimers}). */
export interface Timers {
  /** Calls `fire` once `delayMs` has passed on the clock, unless the returned cancel ran first. */
  schedule(delayMs: number, fire: () => void): () => void;
  /** Cancels everything. */
  clear(): void;
}

class Scheduled implements TimerNode {
  seq = 0;
  heapIndex = -1;
  constructor(
    public dueAt: number,
    readonly fire: () => void,
  ) {}
}

/**
 * The memory broker's timer structure for other users (the runtime's per-call time limits): a
 * min-heap with O(log n) cancel behind ONE timer, so memory follows what is pending and a process
 * with nothing pending holds no timer.
 */
export function createTimers(clock: Clock = systemClock): Timers {
  const queue = new TimerQueue(clock);
  return {
    schedule(delayMs, fire) {
      const node = new Scheduled(queue.now() + Math.max(0, delayMs), fire);
      queue.schedule(node);
      return () => queue.cancel(node);
    },
    clear: () => queue.clear(),
  };
}
