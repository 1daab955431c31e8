import type { Client, ClientConfig, Pool } from "pg";
import type { PostgresNames } from "./postgres-migrations.js";
import type { TaskEvent } from "./task-store.js";

/** Where the store's warnings go; every message and field is credential-free. */
export interface PostgresStoreLogger {
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** A row of the events table as the store selects it. */
export interface EventRow {
  readonly event_id: string | number;
  readonly task_id: string;
  readonly kind: TaskEvent["kind"];
  readonly data: unknown;
  readonly actor: string | null;
  readonly at: Date | string;
}

/** Columns of {@link EventRow}, in SELECT order. */
export const EVENT_COLUMNS = "event_id, task_id, kind, data, actor, at";

/** A timestamp column as ISO 8601 (pg's default parser gives Dates; a custom one may give strings). */
export function isoOf(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

export function eventFromRow(row: EventRow): TaskEvent {
  return {
    eventId: Number(row.event_id),
    taskId: row.task_id,
    kind: row.kind,
    data: row.data,
    ...(row.actor === null ? {} : { actor: row.actor }),
    at: isoOf(row.at),
  };
}

export interface EventTailOptions {
  readonly pool: Pool;
  readonly names: PostgresNames;
  /** Connection settings of the dedicated LISTEN client. */
  readonly listenerConfig: ClientConfig;
  readonly Client: typeof Client;
  readonly pollIntervalMs: number;
  readonly gapTimeoutMs: number;
  readonly logger: PostgresStoreLogger;
}

/** The store's one reader of new events, fanned out to its subscribers. */
export interface EventTail {
  subscribe(listener: (event: TaskEvent) => void): () => void;
  /** Backend PID of the LISTEN connection (tests terminate it), when connected. */
  listenerPid(): number | undefined;
  close(): Promise<void>;
}

const BATCH_ROWS = 200;
const GAP_RECHECK_MS = 20;
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/** A run of missing ids right after the cursor. */
interface Gap {
  /** The highest id read when the gap was seen: every missing id below it is covered. */
  readonly upTo: number;
  /** An xid taken right after that read: above the xid of every transaction holding a missing id. */
  readonly xidAbove: bigint;
  readonly sinceMs: number;
}

/**
 * Tails the events table from the moment the store opens. NOTIFY only wakes it (and a poll every
 * `pollIntervalMs` backs it up); it then reads `event_id > cursor` in id order, so a lost
 * notification, a payload of any size or a LISTEN reconnect loses nothing.
 *
 * Identity values are taken in order but can commit out of order, so a read can see id 7 before id 6
 * commits. The tail then stops at the gap until it is settled. Every store transaction takes its xid
 * before its event id, so whoever holds a missing id (taken before id 7, which committed before the
 * read) has an xid below one the tail takes right after the read (`pg_current_xact_id()`, once per
 * gap). Once a later read's snapshot has its xmin (the oldest running xid) at or above that xid, all
 * those holders have ended: an id still missing was rolled back or deleted and is skipped, exactly.
 * Only when that takes longer than `gapTimeoutMs` (a long write transaction anywhere on the cluster
 * holds xmin back) is the gap skipped on time alone; an event committing even later then reaches subscribers never, though
 * `events()` still returns it. A gap whose event commits fills by itself, so the wait matters only
 * for an id that never appears (a write rolled back after taking its id), and the time-out only
 * while some unrelated write transaction on the cluster runs that long.
 *
 * Each subscriber gets every event committed after it subscribed (and possibly a few committed
 * just before: the tail's position, not a database round trip, marks the start), in id order,
 * exactly once. The one exception is at the store's start: an event whose transaction took its id
 * before the store opened but commits after it is below the starting cursor (it is in `events()`).
 */
export async function startEventTail(options: EventTailOptions): Promise<EventTail> {
  const { pool, names, logger } = options;
  const subscribers = new Set<{ readonly listener: (event: TaskEvent) => void; readonly after: number }>();
  // pg_current_snapshot() is the statement's own snapshot: the one the events are read with.
  const fullRead = `
    SELECT s.xmin, e.* FROM
      (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin) s
      LEFT JOIN LATERAL (SELECT ${EVENT_COLUMNS} FROM ${names.events}
        WHERE event_id > $1 ORDER BY event_id LIMIT ${BATCH_ROWS}) e ON true
    ORDER BY e.event_id`;
  // With nobody subscribed the cursor still moves (so a first subscriber starts near "now"), reading ids only.
  const idRead = fullRead.replace(EVENT_COLUMNS, "event_id");

  let closed = false;
  let cursor = 0;
  let gap: Gap | undefined;
  let reading: Promise<void> | undefined;
  let again = false;
  let recheck: NodeJS.Timeout | undefined;
  let listener: { readonly client: Client; readonly pid: number } | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let reconnectDelayMs = RECONNECT_FIRST_MS;

  /** Whether the known gap before `id` may be passed, given the xmin of this read's snapshot. */
  const gapSettled = (settling: Gap, id: number, xmin: bigint): boolean => {
    if (xmin >= settling.xidAbove) return true;
    if (Date.now() - settling.sinceMs < options.gapTimeoutMs) return false;
    logger.warn?.("[asya:gateway] skipping missing task event ids after waiting for them", {
      afterEventId: cursor,
      nextEventId: id,
      gapTimeoutMs: options.gapTimeoutMs,
    });
    return true;
  };

  const deliver = (event: TaskEvent) => {
    for (const subscriber of subscribers) {
      if (event.eventId <= subscriber.after) continue;
      try {
        subscriber.listener(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  };

  /** Reads one batch; "more" to read again now, "gap" when stopped at a gap. */
  const readOnce = async (): Promise<"more" | "done" | "gap"> => {
    const full = subscribers.size > 0;
    // One row even when no event is new (LEFT JOIN): the snapshot comes with every read.
    type ReadRow = Omit<EventRow, "event_id"> & { event_id: string | null; xmin: string };
    const result = await pool.query<ReadRow>(full ? fullRead : idRead, [cursor]);
    if (closed) return "done";
    // Someone subscribed while only ids were read: read again with the payloads.
    if (!full && subscribers.size > 0) return "more";
    const first = result.rows[0];
    if (first === undefined || first.event_id === null) return "done";
    const xmin = BigInt(first.xmin);
    for (const row of result.rows) {
      const id = Number(row.event_id);
      if (id > cursor + 1) {
        if (gap === undefined || id - 1 > gap.upTo) {
          // First sight of this gap: an xid taken now is above every holder's. Then read once more
          // at once, as the holder usually commits within a moment.
          const taken = await pool.query<{ xid: string }>("SELECT pg_current_xact_id()::text AS xid");
          const highest = Number(result.rows.at(-1)?.event_id);
          gap = { upTo: highest, xidAbove: BigInt(taken.rows[0]?.xid ?? "0"), sinceMs: Date.now() };
          return "more";
        }
        if (!gapSettled(gap, id, xmin)) return "gap";
      }
      // Advanced before delivering: a listener subscribing from a callback starts after this event.
      cursor = id;
      if (gap !== undefined && cursor >= gap.upTo) gap = undefined;
      if (full) deliver(eventFromRow({ ...row, event_id: id }));
    }
    return result.rows.length === BATCH_ROWS ? "more" : "done";
  };

  const drain = async () => {
    for (;;) {
      again = false;
      const outcome = await readOnce();
      if (closed) return;
      if (outcome === "more") continue;
      if (outcome === "gap") {
        // Re-read on a timer rather than per notification: a busy table would spin on the gap.
        again = false;
        recheck = setTimeout(() => {
          recheck = undefined;
          wake();
        }, GAP_RECHECK_MS);
        recheck.unref();
        return;
      }
      if (!again) return;
    }
  };

  const wake = () => {
    if (closed || recheck !== undefined) return;
    if (reading !== undefined) {
      again = true;
      return;
    }
    reading = drain()
      .catch((error: unknown) => {
        // The poll retries; nothing is skipped meanwhile.
        logger.warn?.("[asya:gateway] reading new task events failed", { error: String(error) });
      })
      .finally(() => {
        reading = undefined;
        if (again) wake();
      });
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer !== undefined) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch((error: unknown) => {
        logger.warn?.("[asya:gateway] PostgreSQL LISTEN reconnect failed", { error: String(error) });
        scheduleReconnect();
      });
    }, reconnectDelayMs);
    reconnectTimer.unref();
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, RECONNECT_MAX_MS);
  };

  const connect = async () => {
    const client = new options.Client({ ...options.listenerConfig, keepAlive: true });
    let established = false;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (listener?.client === client) listener = undefined;
      client.end().catch(() => {});
      if (!established || closed) return;
      logger.warn?.("[asya:gateway] PostgreSQL LISTEN connection lost; reconnecting", {
        error: error === undefined ? "connection ended" : String(error),
      });
      scheduleReconnect();
    };
    client.on("error", onLost);
    client.on("end", () => onLost());
    client.on("notification", (message) => {
      if (message.channel === names.channel) wake();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${names.channel}"`);
      const pid = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      if (lost) throw new Error("the LISTEN connection ended while starting");
      established = true;
      if (closed) {
        await client.end();
        return;
      }
      listener = { client, pid: pid.rows[0]?.pid ?? 0 };
      reconnectDelayMs = RECONNECT_FIRST_MS;
    } catch (error) {
      onLost();
      throw error;
    }
    // Catch up on whatever was written while no LISTEN was active.
    wake();
  };

  // The cursor starts at the newest event (before LISTEN, whose first wake-up catches up from here).
  const start = await pool.query<{ max: string }>(
    `SELECT coalesce(max(event_id), 0)::text AS max FROM ${names.events}`,
  );
  cursor = Number(start.rows[0]?.max ?? 0);
  await connect();
  const poll = setInterval(wake, options.pollIntervalMs);
  poll.unref();

  return {
    subscribe(callback) {
      const subscriber = { listener: callback, after: cursor };
      subscribers.add(subscriber);
      return () => {
        subscribers.delete(subscriber);
      };
    },
    listenerPid: () => listener?.pid,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearTimeout(recheck);
      clearTimeout(reconnectTimer);
      subscribers.clear();
      await reading;
      const current = listener;
      listener = undefined;
      await current?.client.end().catch(() => {});
    },
  };
}
