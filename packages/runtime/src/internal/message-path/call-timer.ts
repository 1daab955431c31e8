/** Longest delay a Node timer supports (~24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

interface Entry {
  readonly dueMs: number;
  readonly expire: () => void;
  cancelled: boolean;
}

/** Cancels a scheduled expiry (idempotent). */
export type CancelTimer = () => void;

/** One timer structure for all of an actor's per-call time limits. */
export interface CallTimer {
  /** Calls `expire` once `limitMs` from now has passed, unless cancelled first. */
  schedule(limitMs: number, expire: () => void): CancelTimer;
  /** Drops every pending expiry (actor stopped). */
  clear(): void;
}

/**
 * A binary min-heap of due times behind a single `setTimeout` armed for the earliest one: a call
 * costs a heap insert instead of a timer of its own. Cancelled entries are dropped when they reach
 * the top, and the heap is compacted once they are the majority, so memory follows the calls in
 * flight, not the calls of the last `limitMs`.
 */
export function createCallTimer(now: () => number = Date.now): CallTimer {
  const heap: Entry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let armedFor = Number.POSITIVE_INFINITY;
  let cancelled = 0;

  const swap = (a: number, b: number): void => {
    const held = heap[a] as Entry;
    heap[a] = heap[b] as Entry;
    heap[b] = held;
  };
  const up = (index: number): void => {
    let at = index;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((heap[parent] as Entry).dueMs <= (heap[at] as Entry).dueMs) return;
      swap(at, parent);
      at = parent;
    }
  };
  const down = (index: number): void => {
    let at = index;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let smallest = at;
      if (left < heap.length && (heap[left] as Entry).dueMs < (heap[smallest] as Entry).dueMs)
        smallest = left;
      if (right < heap.length && (heap[right] as Entry).dueMs < (heap[smallest] as Entry).dueMs)
        smallest = right;
      if (smallest === at) return;
      swap(at, smallest);
      at = smallest;
    }
  };
  const compact = (): void => {
    const live = heap.filter((entry) => !entry.cancelled);
    heap.length = 0;
    for (const entry of live) {
      heap.push(entry);
      up(heap.length - 1);
    }
    cancelled = 0;
  };
  const pop = (): void => {
    if ((heap[0] as Entry).cancelled) cancelled -= 1;
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      down(0);
    }
  };
  const arm = (): void => {
    while (heap.length > 0 && (heap[0] as Entry).cancelled) pop();
    const first = heap[0];
    if (first === undefined) {
      clearTimeout(timer);
      timer = undefined;
      armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    if (timer !== undefined && armedFor <= first.dueMs) return;
    clearTimeout(timer);
    armedFor = first.dueMs;
    timer = setTimeout(fire, Math.min(Math.max(0, first.dueMs - now()), MAX_TIMER_MS));
  };
  const fire = (): void => {
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const at = now();
    while (heap.length > 0 && (heap[0] as Entry).dueMs <= at) {
      const entry = heap[0] as Entry;
      pop();
      if (!entry.cancelled) {
        entry.cancelled = true; // expired: a later cancel() is a no-op
        entry.expire();
      }
    }
    arm();
  };

  return {
    schedule(limitMs, expire) {
      const entry: Entry = { dueMs: now() + Math.max(0, limitMs), expire, cancelled: false };
      heap.push(entry);
      up(heap.length - 1);
      arm();
      return () => {
        if (entry.cancelled) return;
        entry.cancelled = true;
        cancelled += 1;
        if (cancelled === heap.length) {
          // Nothing left in flight: drop it all, and the timer with it (it must not keep the
          // process alive for `limitMs` after the last call ended).
          heap.length = 0;
          cancelled = 0;
          arm();
        } else if (cancelled > 64 && cancelled * 2 > heap.length) {
          compact();
        }
      };
    },
    clear() {
      heap.length = 0;
      cancelled = 0;
      arm();
    },
  };
}
