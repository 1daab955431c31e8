import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { EventHub } from "../event-hub.js";
import { liveQueue } from "../live-queue.js";
import type { TaskEvent, TaskStore } from "../store/task-store.js";
import { isTerminal, type TaskStatus } from "../task.js";

/** Writes one stored event as `id:`, `event:` (status | fly) and JSON `data:`. */
function writeEvent(stream: SSEStreamingApi, event: TaskEvent, data: unknown = event.data): Promise<void> {
  return stream.writeSSE({ id: String(event.eventId), event: event.kind, data: JSON.stringify(data) });
}

const statusOf = (event: TaskEvent): TaskStatus | undefined =>
  event.kind === "status" ? (event.data as { status?: TaskStatus }).status : undefined;

/** `Last-Event-ID` as a number, if it is one. */
export function lastEventIdOf(c: Context): number | undefined {
  const raw = c.req.header("last-event-id");
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * `GET /mesh/{id}/events` (GATEWAY.md section 2): `event: status` with the stored data first (and
 * nothing more when the task is already terminal); then, beyond Asya, what the client missed
 * (after `Last-Event-ID`, or the last FLY events for a late joiner); then live status and fly events
 * with their ids, `:keepalive` comments, closed after a terminal status.
 */
export function streamTask(
  c: Context,
  store: TaskStore,
  hub: EventHub,
  id: string,
  keepaliveMs: number,
): Response {
  const lastEventId = lastEventIdOf(c);
  return streamSSE(c, async (stream) => {
    const live = liveQueue<TaskEvent>();
    // Subscribed before reading the snapshot: nothing committed in between is missed.
    const off = hub.onTask(id, (event) => live.push(event));
    stream.onAbort(() => {
      off();
      live.stop();
    });
    try {
      // Events before the task: the snapshot is at least as new as every status event read (a later
      // one may repeat it, never go missing).
      const missed = await store.events(id, lastEventId);
      const task = await store.get(id);
      if (task === undefined) return;
      let lastSent = 0;
      let done = false;
      const send = async (event: TaskEvent) => {
        if (event.eventId <= lastSent) return;
        lastSent = event.eventId;
        await writeEvent(stream, event);
        const status = statusOf(event);
        if (status !== undefined && isTerminal(status)) done = true;
      };
      if (lastEventId === undefined) {
        await stream.writeSSE({ event: "status", data: JSON.stringify(task.data) });
        if (isTerminal(task.status)) return;
        // A late joiner gets the kept FLY events; the snapshot stands for the status events.
        lastSent = Math.max(0, ...missed.filter((e) => e.kind === "status").map((e) => e.eventId));
        for (const event of missed.filter((e) => e.kind === "fly")) {
          await writeEvent(stream, event);
          lastSent = Math.max(lastSent, event.eventId);
        }
      } else {
        for (const event of missed) await send(event);
        if (done || isTerminal(task.status)) return;
      }
      while (!done && !stream.aborted) {
        const events = await live.next(keepaliveMs);
        if (stream.aborted) break;
        if (events.length === 0) await stream.write(": keepalive\n\n");
        for (const event of events) if (!done) await send(event);
      }
    } finally {
      off();
    }
  });
}

/** `GET /mesh/events[?status=]`: every task's status events (data includes the task `id`), beyond Asya. */
export function streamAll(
  c: Context,
  hub: EventHub,
  status: TaskStatus | undefined,
  keepaliveMs: number,
): Response {
  return streamSSE(c, async (stream) => {
    const live = liveQueue<TaskEvent>();
    const off = hub.onAny((event) => {
      if (event.kind === "status" && (status === undefined || statusOf(event) === status)) live.push(event);
    });
    stream.onAbort(() => {
      off();
      live.stop();
    });
    try {
      await stream.write(": connected\n\n");
      while (!stream.aborted) {
        const events = await live.next(keepaliveMs);
        if (stream.aborted) break;
        if (events.length === 0) await stream.write(": keepalive\n\n");
        for (const event of events) {
          await writeEvent(stream, event, { id: event.taskId, ...(event.data as object) });
        }
      }
    } finally {
      off();
    }
  });
}
