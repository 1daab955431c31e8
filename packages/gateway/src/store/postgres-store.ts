import { createRequire } from "node:module";
import { inspect } from "node:util";
import type { Client, Pool, PoolClient, PoolConfig } from "pg";
import { z } from "zod";
import { GatewayError } from "../gateway-error.js";
import { acceptsStatus, isTerminal, mergeData, type Task, type TaskData, type TaskStatus } from "../task.js";
import {
  EVENT_COLUMNS,
  type EventRow,
  type EventTail,
  eventFromRow,
  isoOf,
  type PostgresStoreLogger,
  startEventTail,
} from "./postgres-event-tail.js";
import { migrate, postgresNames } from "./postgres-migrations.js";
import {
  FLY_EVENTS_KEPT,
  type ListOptions,
  type NewTask,
  PENDING_DATA,
  type ReportOutcome,
  resumedDeadline,
  type TaskEvent,
  type TaskStore,
} from "./task-store.js";

export type { PostgresStoreLogger } from "./postgres-event-tail.js";

const identifier = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must match [a-z_][a-z0-9_]*, at most 63 chars");
const positiveInt = z.number().int().positive();

/** zod schema of {@link PostgresTaskStoreOptions} (validated once in the factory). */
export const postgresTaskStoreOptionsSchema = z
  .object({
    /** `postgres://user:password@host:port/database`. Required unless `pool` is given. Never logged. */
    connectionString: z.string().min(1).optional(),
    /**
     * A ready `pg.Pool` for queries. The application owns it: `close()` does not end it. The LISTEN
     * connection is separate: opened from `connectionString` when given, else from `pool.options`.
     */
    pool: z.custom<Pool>((value) => typeof value === "object" && value !== null).optional(),
    /** Schema of the tables; created when missing. @default "public" */
    schema: identifier.default("public"),
    /** Prefix of table and index names (`<prefix>tasks`, `<prefix>task_events`). @default "asya_" */
    tablePrefix: z
      .string()
      .regex(/^([a-z_][a-z0-9_]{0,29})?$/, "must match [a-z_][a-z0-9_]*, at most 30 chars")
      .default("asya_"),
    /** Time source of `created_at`, `updated_at` and event `at`. @default () => new Date() */
    clock: z.custom<() => Date>((value) => typeof value === "function").optional(),
    /** Connections of the pool the store creates (without `pool`), besides the LISTEN one. @default 10 */
    poolMax: positiveInt.default(10),
    /** Timeout of opening one connection. @default 10000 */
    connectTimeoutMs: positiveInt.default(10_000),
    /** Upper bound of `ready()`, which answers `false` when the database takes longer. @default 2000 */
    readyTimeoutMs: positiveInt.default(2_000),
    /** How often subscribers' reader polls for new events besides being woken by NOTIFY. @default 500 */
    pollIntervalMs: positiveInt.default(500),
    /**
     * How long the reader waits at a gap in event ids while some write transaction that started
     * before it is still running; then it skips the gap (see `subscribe`). @default 5000
     */
    gapTimeoutMs: positiveInt.default(5_000),
    /** Where warnings (lost LISTEN connection, failed reads) go. @default no logging */
    logger: z.custom<PostgresStoreLogger>((value) => typeof value === "object" && value !== null).optional(),
  })
  .refine((value) => value.connectionString !== undefined || value.pool !== undefined, {
    message: "either connectionString or pool is required",
    path: ["connectionString"],
  });

/** Options of {@link createPostgresTaskStore} (the schema's input type). */
export type PostgresTaskStoreOptions = z.input<typeof postgresTaskStoreOptionsSchema>;

interface TaskRow {
  readonly id: string;
  readonly status: TaskStatus;
  readonly created_at: Date | string;
  readonly updated_at: Date | string;
  readonly data: TaskData;
}

const TASK_COLUMNS = "id, status, created_at, updated_at, data";

const taskFromRow = (row: TaskRow): Task => ({
  id: row.id,
  status: row.status,
  created_at: isoOf(row.created_at),
  updated_at: isoOf(row.updated_at),
  data: row.data,
});

/** JSON text for a jsonb parameter (pg would turn a JS array into a PostgreSQL array). */
const json = (value: unknown): string => JSON.stringify(value) ?? "null";

/** The two classes of pg the store uses. */
interface PgClasses {
  readonly Pool: typeof Pool;
  readonly Client: typeof Client;
}

let pgClasses: Promise<PgClasses> | undefined;

/** Loads pg on first use (memory-store users never load it). */
function loadPg(): Promise<PgClasses> {
  pgClasses ??= (async () => {
    // pg's entry point subclasses require("pg-pool"). A host that resolves require() with the
    // "import" condition (vitest passes its resolve conditions to Node as --conditions; some
    // bundlers do the same) hands it pg-pool's ESM namespace instead, and loading pg throws (with an
    // uncatchable unhandled rejection besides). Detect that host and bind pg's parts the way its
    // entry point does.
    const require = createRequire(import.meta.url);
    const entry = require.resolve("pg/lib/index.js");
    const poolPath = createRequire(entry).resolve("pg-pool");
    if (!/\.mjs$/.test(poolPath)) {
      const pg = await import("pg");
      return { Pool: pg.Pool, Client: pg.Client };
    }
    const PgClient = require("pg/lib/client.js") as typeof Client;
    const poolModule = require(poolPath) as { default?: unknown };
    const PgPool = (poolModule.default ?? poolModule) as new (
      options: PoolConfig | undefined,
      client: typeof Client,
    ) => Pool;
    class BoundPool extends PgPool {
      constructor(options?: PoolConfig) {
        super(options, PgClient);
      }
    }
    return { Pool: BoundPool as unknown as typeof Pool, Client: PgClient };
  })();
  return pgClasses;
}

const tails = new WeakMap<TaskStore, EventTail>();

/**
 * Internal, for tests only: the backend PID of `store`'s LISTEN connection (to terminate it).
 *
 * @internal
 */
export function postgresListenerPidForTesting(store: TaskStore): number | undefined {
  return tails.get(store)?.listenerPid();
}

/**
 * The PostgreSQL task store, safe for several gateway replicas on one database: migrations run at
 * start (idempotent, under an advisory lock), ranks are enforced under a row lock, events get ids
 * from an identity column, and `subscribe` delivers every replica's events (NOTIFY wakes a reader
 * that reads the table by id; see `postgres-event-tail.ts` for ordering and gaps). Needs
 * PostgreSQL 13 or newer.
 *
 * @example
 * ```ts
 * const store = await createPostgresTaskStore({ connectionString: process.env.DATABASE_URL! });
 * const { task } = await store.create({ id: crypto.randomUUID() });
 * ```
 * @throws GatewayError `INVALID_CONFIG` for bad options; `STORE_UNAVAILABLE` when the
 *   database cannot be reached or migrated (the message names host, port and database).
 */
export async function createPostgresTaskStore(options: PostgresTaskStoreOptions): Promise<TaskStore> {
  const parsed = postgresTaskStoreOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join(".");
    throw new GatewayError(`invalid PostgreSQL task store options: ${z.prettifyError(parsed.error)}`, {
      code: "INVALID_CONFIG",
      ...(field === undefined || field === "" ? {} : { field }),
    });
  }
  const config = parsed.data;
  const clock = config.clock ?? (() => new Date());
  const names = postgresNames(config.schema, config.tablePrefix);
  const { tasks, events } = names;
  const pg = await loadPg();
  const ownPool = config.pool === undefined;
  const pool =
    config.pool ??
    new pg.Pool({
      connectionString: config.connectionString,
      max: config.poolMax,
      connectionTimeoutMillis: config.connectTimeoutMs,
      keepAlive: true,
    });
  // An idle pooled connection that dies emits "error" on the pool: without a handler that crashes.
  if (ownPool)
    pool.on("error", (error) =>
      config.logger?.warn?.("[asya:gateway] idle PostgreSQL connection failed", { error: String(error) }),
    );

  let tail: EventTail;
  try {
    const client = await pool.connect();
    try {
      await migrate(client, names);
    } finally {
      client.release();
    }
    tail = await startEventTail({
      pool,
      names,
      Client: pg.Client,
      listenerConfig:
        config.connectionString === undefined
          ? { ...pool.options }
          : { connectionString: config.connectionString, connectionTimeoutMillis: config.connectTimeoutMs },
      pollIntervalMs: config.pollIntervalMs,
      gapTimeoutMs: config.gapTimeoutMs,
      logger: config.logger ?? {},
    });
  } catch (error) {
    if (ownPool) await pool.end().catch(() => {});
    throw openError(error, config.connectionString, pool);
  }

  const transaction = async <T>(body: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    try {
      // One round trip. The xid is taken first on purpose: the reader's gap rule relies on every
      // transaction that appends an event having its xid before it takes an event id.
      await client.query("BEGIN; SELECT pg_current_xact_id()");
      const result = await body(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };

  const lockTask = async (client: PoolClient, id: string): Promise<Task | undefined> => {
    const found = await client.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    const row = found.rows[0];
    return row === undefined ? undefined : taskFromRow(row);
  };

  /** Inserts an event and queues its NOTIFY (sent at COMMIT); the payload is only the id. */
  const append = async (
    client: PoolClient,
    taskId: string,
    kind: TaskEvent["kind"],
    data: unknown,
    actor: string | undefined,
    at: string,
  ): Promise<TaskEvent> => {
    const inserted = await client.query<{ event_id: string }>(
      `WITH e AS (
         INSERT INTO ${events} (task_id, kind, data, actor, at)
         VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz) RETURNING event_id)
       SELECT event_id::text, pg_notify($6, event_id::text) FROM e`,
      [taskId, kind, json(data), actor ?? null, at, names.channel],
    );
    const eventId = Number(inserted.rows[0]?.event_id);
    return { eventId, taskId, kind, data, ...(actor === undefined ? {} : { actor }), at };
  };

  let closing: Promise<void> | undefined;
  const store: TaskStore = {
    create: ({ id, deadlineAt, idempotencyKey }: NewTask) =>
      transaction(async (client) => {
        const at = clock().toISOString();
        // A duplicate id (ids are UUIDs: a caller's bug) fails with pg's unique violation, 23505.
        const inserted = await client.query(
          `INSERT INTO ${tasks} (id, status, created_at, updated_at, deadline_at, data, idempotency_key)
           VALUES ($1, 'pending', $2::timestamptz, $2::timestamptz, $3::timestamptz, $4::jsonb, $5)
           ON CONFLICT (idempotency_key) DO NOTHING`,
          [id, at, deadlineAt ?? null, json(PENDING_DATA), idempotencyKey ?? null],
        );
        if (inserted.rowCount === 0) {
          // The key was used (possibly by another replica a moment ago: its row is visible now).
          const known = await client.query<TaskRow>(
            `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE idempotency_key = $1`,
            [idempotencyKey],
          );
          const row = known.rows[0];
          if (row === undefined) {
            throw new GatewayError(`the task of idempotency key ${idempotencyKey} was just deleted`, {
              code: "STORE_UNAVAILABLE",
              retryable: true,
            });
          }
          return { task: taskFromRow(row), created: false };
        }
        await append(client, id, "status", PENDING_DATA, undefined, at);
        const task: Task = { id, status: "pending", created_at: at, updated_at: at, data: PENDING_DATA };
        return { task, created: true };
      }),

    async get(id) {
      const found = await pool.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE id = $1`, [id]);
      const row = found.rows[0];
      return row === undefined ? undefined : taskFromRow(row);
    },

    async list({ status, limit, offset }: ListOptions) {
      // One statement, so the page and the total come from the same snapshot.
      const result = await pool.query<Partial<TaskRow> & { total: string }>(
        `WITH total AS (SELECT count(*)::text AS total FROM ${tasks} WHERE $1::text IS NULL OR status = $1)
         SELECT total.total, page.* FROM total LEFT JOIN LATERAL (
           SELECT ${TASK_COLUMNS}, seq FROM ${tasks} WHERE $1::text IS NULL OR status = $1
           ORDER BY created_at DESC, seq DESC LIMIT $2 OFFSET $3) page ON true
         ORDER BY page.created_at DESC, page.seq DESC`,
        [status ?? null, limit, offset],
      );
      const messages = result.rows.flatMap((row) => (row.id == null ? [] : [taskFromRow(row as TaskRow)]));
      return { messages, total: Number(result.rows[0]?.total ?? 0) };
    },

    reportStatus: (id, status: TaskStatus, data, options = {}) =>
      transaction(async (client): Promise<ReportOutcome> => {
        const task = await lockTask(client, id);
        if (task === undefined) return { kind: "unknown" };
        if (!acceptsStatus(task.status, status, options.force)) return { kind: "ignored", task };
        const merged = mergeData(task.data, status, data);
        const at = clock().toISOString();
        await client.query(
          `UPDATE ${tasks} SET status = $2, data = $3::jsonb, updated_at = $4::timestamptz WHERE id = $1`,
          [id, status, json(merged), at],
        );
        return { kind: "applied", event: await append(client, id, "status", merged, options.actor, at) };
      }),

    resume: (id, data, options = {}) =>
      transaction(async (client) => {
        const found = await client.query<TaskRow & { deadline_at: Date | null }>(
          `SELECT ${TASK_COLUMNS}, deadline_at FROM ${tasks} WHERE id = $1 FOR UPDATE`,
          [id],
        );
        const row = found.rows[0];
        if (row === undefined) return { kind: "unknown" as const };
        const task = taskFromRow(row);
        if (task.status !== "paused") return { kind: "ignored" as const, task };
        const now = clock();
        const deadlineMs = resumedDeadline(
          row.deadline_at === null ? undefined : new Date(row.deadline_at).getTime(),
          Date.parse(task.updated_at),
          now.getTime(),
          options.timeoutSeconds,
        );
        const deadlineAt = deadlineMs === undefined ? undefined : new Date(deadlineMs).toISOString();
        const merged = mergeData(task.data, "running", data);
        const at = now.toISOString();
        await client.query(
          `UPDATE ${tasks} SET status = 'running', data = $2::jsonb, updated_at = $3::timestamptz,
             deadline_at = $4::timestamptz WHERE id = $1`,
          [id, json(merged), at, deadlineAt ?? null],
        );
        return {
          kind: "applied" as const,
          event: await append(client, id, "status", merged, undefined, at),
          deadlineAt,
        };
      }),

    reportFly: (id, data, actor) =>
      transaction(async (client): Promise<ReportOutcome> => {
        // The row lock orders a FLY against a concurrent terminal status: none lands after it.
        const task = await lockTask(client, id);
        if (task === undefined) return { kind: "unknown" };
        if (isTerminal(task.status)) return { kind: "ignored", task };
        const event = await append(client, id, "fly", data, actor, clock().toISOString());
        await client.query(
          `DELETE FROM ${events} WHERE task_id = $1 AND kind = 'fly' AND event_id < (
             SELECT event_id FROM ${events} WHERE task_id = $1 AND kind = 'fly'
             ORDER BY event_id DESC OFFSET $2 LIMIT 1)`,
          [id, FLY_EVENTS_KEPT - 1],
        );
        return { kind: "applied", event };
      }),

    async events(id, afterEventId) {
      // As in the memory store, nothing is after NaN (or Infinity); ids are integers from 1.
      if (afterEventId !== undefined && !(afterEventId < Number.MAX_SAFE_INTEGER)) return [];
      const after = Math.max(0, Math.floor(afterEventId ?? 0));
      const found = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE task_id = $1 AND event_id > $2 ORDER BY event_id`,
        [id, after],
      );
      return found.rows.map(eventFromRow);
    },

    async history(id) {
      const found = await pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${events} WHERE task_id = $1 AND kind = 'status' ORDER BY event_id`,
        [id],
      );
      return found.rows.map(eventFromRow);
    },

    async overdue(now) {
      const found = await pool.query<{ id: string }>(
        `SELECT id FROM ${tasks}
         WHERE status IN ('pending', 'running') AND deadline_at <= $1::timestamptz ORDER BY deadline_at`,
        [now.toISOString()],
      );
      return found.rows.map((row) => row.id);
    },

    async prune(before) {
      // Events go with their task (ON DELETE CASCADE), also one a concurrent FLY just added.
      const gone = await pool.query<{ count: string }>(
        `WITH gone AS (DELETE FROM ${tasks} WHERE updated_at < $1::timestamptz RETURNING 1)
         SELECT count(*)::text AS count FROM gone`,
        [before.toISOString()],
      );
      return Number(gone.rows[0]?.count ?? 0);
    },

    subscribe: (listener) => tail.subscribe(listener),

    async ready() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.readyTimeoutMs);
      });
      const answer = Promise.resolve()
        .then(() => pool.query("SELECT 1"))
        .then(
          () => true,
          () => false,
        );
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    close: () => {
      closing ??= (async () => {
        await tail.close();
        if (ownPool) await pool.end();
      })();
      return closing;
    },
  };
  tails.set(store, tail);
  return store;
}

/** Where the store connects, as `host:port/database` (never user or password). */
function describeTarget(connectionString: string | undefined, pool: Pool): string {
  let host: string | undefined = pool.options.host;
  let port: string | undefined = pool.options.port?.toString();
  let database: string | undefined = pool.options.database;
  const url = connectionString ?? pool.options.connectionString;
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get("host") || undefined;
      port = parsed.port || undefined;
      database = decodeURIComponent(parsed.pathname.slice(1)) || undefined;
    } catch {
      // key=value form: pick the two keys that name the target.
      host = /(?:^|\s)host=(\S+)/.exec(url)?.[1];
      database = /(?:^|\s)dbname=(\S+)/.exec(url)?.[1];
    }
  }
  return `${host ?? process.env.PGHOST ?? "localhost"}:${port ?? process.env.PGPORT ?? "5432"}/${database ?? process.env.PGDATABASE ?? "(default database)"}`;
}

/** Network failures and PostgreSQL's "not now" answers are worth retrying; auth or missing databases are not. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string") return /timeout|terminated|ended/i.test(String(error));
  return /^E(CONN|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN|PIPE)/.test(code) || /^(08|53|57P)/.test(code);
}

function openError(error: unknown, connectionString: string | undefined, pool: Pool): GatewayError {
  const target = describeTarget(connectionString, pool);
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(connectionString ?? "").password) || undefined;
  } catch {
    password = typeof pool.options.password === "string" ? pool.options.password : undefined;
  }
  const reason = error instanceof Error ? error.message : String(error);
  // A cause that quotes the password anywhere (a URL parser's `input`, say) is replaced by its message.
  const leaks = password !== undefined && inspect(error, { depth: 4 }).includes(password);
  const redacted = leaks && password !== undefined ? reason.replaceAll(password, "***") : reason;
  return new GatewayError(`cannot open the PostgreSQL task store at ${target}: ${redacted}`, {
    code: "STORE_UNAVAILABLE",
    retryable: isRetryable(error),
    cause: leaks ? new Error(redacted) : error,
  });
}
