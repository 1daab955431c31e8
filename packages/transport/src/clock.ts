import { performance } from "node:perf_hooks";

/** Longest delay a Node timer supports (~24.8 days); longer waits are re-armed in steps. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A pending callback of a {@link Clock}. */
export interface ClockTimer {
  cancel(): void;
  /** Keep the process alive while pending (the default). */
  ref(): void;
  /** Let the process exit while pending. */
  unref(): void;
}

/**
 * Time as the memory transport and the runtime see it: `now()` in epoch milliseconds (monotonic for
 * the system clock) and one-shot timers. Tests pass a {@link TestClock} to run hours of retries,
 * timeouts and SLAs in milliseconds.
 */
export interface Clock {
  now(): number;
  setTimer(callback: () => void, delayMs: number): ClockTimer;
}

/** Real time: `performance.timeOrigin + performance.now()` (epoch ms that never jump back) and `setTimeout`. */
export const systemClock: Clock = Object.freeze({
  now: () => performance.timeOrigin + performance.now(),
  setTimer(callback: () => void, delayMs: number): ClockTimer {
    const timer = setTimeout(callback, Math.min(Math.max(0, Math.ceil(delayMs)), MAX_TIMER_MS));
    return {
      cancel: () => clearTimeout(timer),
      ref: () => void timer.ref(),
      unref: () => void timer.unref(),
    };
  },
});
