/**
 * A queue with one waiter: a stream's loop awaits `next(ms)`, which resolves with what arrived, or
 * with nothing after `ms` (time for a keepalive) or after `stop()`.
 */
export interface LiveQueue<T> {
  push(item: T): void;
  stop(): void;
  next(ms: number): Promise<T[]>;
}

export function liveQueue<T>(): LiveQueue<T> {
  const buffered: T[] = [];
  let wake: (() => void) | undefined;
  let stopped = false;
  return {
    push(item) {
      buffered.push(item);
      wake?.();
    },
    stop() {
      stopped = true;
      wake?.();
    },
    async next(ms) {
      if (buffered.length === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return buffered.splice(0);
    },
  };
}
