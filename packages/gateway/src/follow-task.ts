import type { EventHub } from "./event-hub.js";
import { liveQueue } from "./live-queue.js";
import type { TaskEvent, TaskStore } from "./store/task-store.js";
import { isTerminal, type TaskData } from "./task.js";

/** What a follower sees: status data (the stored one first) and FLY data, in order. */
export type TaskUpdate =
  | { readonly kind: "status"; readonly data: TaskData }
  | { readonly kind: "fly"; readonly data: unknown };

/**
 * Follows task `id` from now to its end, for the MCP and A2A front doors: first its stored status,
 * then the FLY events it already has (unless `replayFly` is false), then live status and FLY
 * events; it ends after a terminal status, when `signal` aborts, or when the hub closes. Works on any replica (events come from the store).
 */
export async function* followTask(
  store: TaskStore,
  hub: EventHub,
  id: string,
  options: { readonly signal?: AbortSignal | undefined; readonly replayFly?: boolean } = {},
): AsyncGenerator<TaskUpdate, void, undefined> {
  const { replayFly = true } = options;
  // The caller's signal, or the hub closing (the gateway stops), whichever comes first.
  const signal = options.signal === undefined ? hub.closed : AbortSignal.any([options.signal, hub.closed]);
  const live = liveQueue<TaskEvent>();
  // Subscribed before reading: nothing committed in between is missed. Events are read before the
  // task, so the snapshot is at least as new as every status event read; a later one may repeat it.
  const off = hub.onTask(id, (event) => live.push(event));
  const abort = () => live.stop();
  signal.addEventListener("abort", abort, { once: true });
  try {
    const seen = await store.events(id);
    const task = await store.get(id);
    if (task === undefined || signal.aborted) return;
    yield { kind: "status", data: task.data };
    if (isTerminal(task.status)) return;
    let lastId = 0;
    for (const event of seen) {
      lastId = Math.max(lastId, event.eventId);
      if (event.kind === "fly" && replayFly) yield { kind: "fly", data: event.data };
    }
    while (!signal.aborted) {
      for (const event of await live.next(60_000)) {
        if (event.eventId <= lastId) continue;
        lastId = event.eventId;
        if (event.kind === "fly") {
          yield { kind: "fly", data: event.data };
          continue;
        }
        const data = event.data as TaskData;
        yield { kind: "status", data };
        if (isTerminal(data.status)) return;
      }
    }
  } finally {
    off();
    signal.removeEventListener("abort", abort);
  }
}
