import type { TaskEvent, TaskStore } from "./store/task-store.js";

/**
 * One subscription to the store, fanned out to the gateway's SSE streams: per task, and for the
 * all-tasks stream. Events arrive in id order from the store (from any replica).
 */
export interface EventHub {
  onTask(taskId: string, listener: (event: TaskEvent) => void): () => void;
  onAny(listener: (event: TaskEvent) => void): () => void;
  /** Open SSE streams. */
  readonly clients: number;
  /** Aborted when the hub closes: followers stop. */
  readonly closed: AbortSignal;
  /** Time from an event's write to its arrival here (the store's delivery lag), in seconds. */
  readonly lag: { readonly count: number; readonly sumSeconds: number; readonly maxSeconds: number };
  close(): void;
}

export function createEventHub(store: TaskStore): EventHub {
  const byTask = new Map<string, Set<(event: TaskEvent) => void>>();
  const any = new Set<(event: TaskEvent) => void>();
  const lag = { count: 0, sumSeconds: 0, maxSeconds: 0 };
  const unsubscribe = store.subscribe((event) => {
    const seconds = Math.max(0, (Date.now() - Date.parse(event.at)) / 1000);
    if (Number.isFinite(seconds)) {
      lag.count++;
      lag.sumSeconds += seconds;
      lag.maxSeconds = Math.max(lag.maxSeconds, seconds);
    }
    for (const listener of byTask.get(event.taskId) ?? []) listener(event);
    for (const listener of any) listener(event);
  });
  let clients = 0;
  const closing = new AbortController();
  return {
    closed: closing.signal,
    onTask(taskId, listener) {
      let set = byTask.get(taskId);
      if (set === undefined) {
        set = new Set();
        byTask.set(taskId, set);
      }
      set.add(listener);
      clients++;
      return () => {
        if (set.delete(listener)) clients--;
        if (set.size === 0) byTask.delete(taskId);
      };
    },
    onAny(listener) {
      any.add(listener);
      clients++;
      return () => {
        if (any.delete(listener)) clients--;
      };
    },
    get clients() {
      return clients;
    },
    lag,
    close() {
      closing.abort();
      unsubscribe();
      byTask.clear();
      any.clear();
    },
  };
}
