import type { Pool } from "pg";
import { z } from "zod";
import { createClosedGate } from "./internal/closed-gate.js";
import { DEFAULT_LIST_LIMIT, encodeValue, mayOrderDifferently, sortedKeys } from "./internal/json-value.js";
import { checkUtf8Key } from "./internal/key-codec.js";
import { loadPgPool } from "./internal/load-pg.js";
import { parseOptions } from "./internal/parse-options.js";
import { redactText, redactUrl } from "./internal/redact.js";
import { checkLimit, checkTtl, StateStoreError } from "./state-error.js";
import type { JsonValue, StateStore } from "./state-store.js";

const positiveInt = z.number().int().positive();

/** zod schema of {@link PostgresStateStoreOptions} (validated once in the factory). */
export const postgresStateStoreOptionsSchema = z.strictObject({
  /** `postgres://user:password@host:port/database`. Never logged: messages show it redacted. */
  connectionString: z.string().regex(/^postgres(ql)?:\/\/./, "must be a postgres:// or postgresql:// URL"),
  /** The table (in the connection's search path); created when missing. @default "asya_state" */
  table: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must match [a-z_][a-z0-9_]*, at most 63 chars")
    .default("asya_state"),
  /** Prepended to every key, so stores can share a table. @default "" */
  prefix: z.string().default(""),
  /** Connections of the pool. @default 5 */
  poolMax: positiveInt.default(5),
  /** Timeout of opening one connection. @default 5000 */
  connectTimeoutMs: positiveInt.default(5_000),
  /** Timeout of one query; a query that takes longer fails with `UNAVAILABLE`. @default 10000 */
  queryTimeoutMs: positiveInt.default(10_000),
});

/** Options of {@link createPostgresStateStore}. */
export type PostgresStateStoreOptions = z.input<typeof postgresStateStoreOptionsSchema>;

/**
 * A store in a PostgreSQL table `(key text COLLATE "C" PRIMARY KEY, value jsonb, expires_at
 * timestamptz)`, created on first use when missing. `putIfAbsent` is one `INSERT ... ON CONFLICT DO
 * UPDATE ... WHERE expires_at <= now()`, so it is atomic across every client of the database; expiry
 * uses the server's clock. Expired rows are invisible and are deleted when a read meets them.
 * jsonb cannot hold U+0000 in strings and text cannot hold it in keys: such values and keys fail
 * with `INVALID_ARGUMENT`. Needs `pg`.
 *
 * @throws StateStoreError `INVALID_CONFIG` for bad options, `MISSING_DEPENDENCY` without pg.
 * @example
 * ```ts
 * const store = await createPostgresStateStore({ connectionString: "postgres://app@db/asya" });
 * const won = await store.putIfAbsent("lease/task-1", { worker: "a" }, { ttlMs: 30_000 });
 * ```
 */
export async function createPostgresStateStore(options: PostgresStateStoreOptions): Promise<StateStore> {
  const config = parseOptions(postgresStateStoreOptionsSchema, options, "postgres store");
  const { connectionString, prefix } = config;
  const PgPool = await loadPgPool();
  const pool: Pool = new PgPool({
    connectionString,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    query_timeout: config.queryTimeoutMs,
    keepAlive: true,
  });
  // An idle pooled connection that dies emits "error" on the pool: without a handler that crashes.
  pool.on("error", () => {});
  const gate = createClosedGate("postgres");
  const t = `"${config.table}"`;
  const live = "(expires_at IS NULL OR expires_at > now())";
  const expiry =
    "CASE WHEN $3::bigint IS NULL THEN NULL ELSE now() + $3::bigint * interval '1 millisecond' END";
  let table: Promise<void> | undefined;
  const ensureTable = () => {
    table ??= pool
      .query(
        `CREATE TABLE IF NOT EXISTS ${t} (key text COLLATE "C" PRIMARY KEY, value jsonb NOT NULL, expires_at timestamptz NULL)`,
      )
      .then(
        () => undefined,
        (error: unknown) => {
          table = undefined; // retried by the next call
          // Two clients creating the table at once: the loser gets a duplicate table, type or key error.
          if (["23505", "42P07", "42710"].includes((error as { code?: string }).code ?? "")) return;
          throw error;
        },
      );
    return table;
  };
  const query = async (sql: string, params: unknown[]) => {
    gate.check();
    try {
      await ensureTable();
      return await pool.query(sql, params);
    } catch (error) {
      throw classifyPostgresError(error, connectionString);
    }
  };
  const rowKey = (key: string) => {
    gate.check();
    checkUtf8Key(key);
    return prefix + key;
  };
  const write = async (key: string, value: JsonValue, ttlMs: number | undefined, onlyIfAbsent: boolean) => {
    const name = rowKey(key);
    checkTtl(ttlMs);
    const { rowCount } = await query(
      `INSERT INTO ${t} AS t (key, value, expires_at) VALUES ($1, $2::jsonb, ${expiry})
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       ${onlyIfAbsent ? "WHERE t.expires_at IS NOT NULL AND t.expires_at <= now()" : ""}`,
      [name, encodeValue(value), ttlMs ?? null],
    );
    return rowCount === 1;
  };
  // Rows in "C" order (code points), as many as asked; listByPrefix re-sorts them by code unit.
  const keysFrom = async (from: string, below: string | undefined, limit: number | null) => {
    const range = `key COLLATE "C" >= $1${below === undefined ? "" : ` AND key COLLATE "C" < $3`}`;
    const { rows } = await query(
      `WITH expired AS (DELETE FROM ${t} WHERE key IN (SELECT key FROM ${t} WHERE ${range}
         AND expires_at <= now() LIMIT 100) AND expires_at <= now())
       SELECT key FROM ${t} WHERE ${range} AND ${live} ORDER BY key COLLATE "C" LIMIT $2`,
      below === undefined ? [from, limit] : [from, limit, below],
    );
    return rows.map((row: { key: string }) => row.key.slice(prefix.length));
  };

  return {
    kind: "postgres",
    async get(key) {
      const name = rowKey(key);
      const { rows } = await query(
        `WITH expired AS (DELETE FROM ${t} WHERE key = $1 AND expires_at <= now())
         SELECT value FROM ${t} WHERE key = $1 AND ${live}`,
        [name],
      );
      return rows.length === 0 ? undefined : (rows[0].value as JsonValue);
    },
    putIfAbsent: (key, value, opts) => write(key, value, opts?.ttlMs, true),
    async put(key, value, opts) {
      await write(key, value, opts?.ttlMs, false);
    },
    async delete(key) {
      await query(`DELETE FROM ${t} WHERE key = $1`, [rowKey(key)]);
    },
    async listByPrefix(keyPrefix, opts) {
      gate.check();
      checkLimit(opts?.limit);
      const from = prefix + keyPrefix;
      const below = prefixUpperBound(from);
      const limit = opts?.limit ?? DEFAULT_LIST_LIMIT;
      const keys = await keysFrom(from, below, limit);
      // Code-point and code-unit order differ only around surrogates and U+E000..U+FFFF: then the
      // first `limit` rows need not be the first `limit` keys, so take them all and sort here.
      const cut = keys.length === limit && keys.some(mayOrderDifferently);
      return sortedKeys(cut ? await keysFrom(from, below, null) : keys, opts?.limit);
    },
    async ready() {
      if (gate.closed) return false;
      try {
        await ensureTable();
        await pool.query("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (gate.close()) await pool.end().catch(() => {});
    },
  };
}

/**
 * The least string above every string that starts with `prefix`, in code-point order, or
 * `undefined` when there is none (an empty prefix, or one of only U+10FFFF).
 */
function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) return points.join("") + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
  }
  return undefined;
}

const UNAVAILABLE_STATES = /^(08|53|57P0[1-3]|57014|40001|40P01|55P03|58)/;
const CONFIG_STATES = /^(28|3D000|3F000|42501)/;

/**
 * Sorts a pg error: connection trouble, timeouts, an overloaded or restarting server, serialization
 * failures are `UNAVAILABLE` (retryable); refused credentials, a missing database or privilege are
 * `INVALID_CONFIG`; data the database refuses (U+0000, bad UTF-8) is `INVALID_ARGUMENT`; anything
 * else is `BACKEND_ERROR`. Messages never contain the connection string's credentials.
 */
export function classifyPostgresError(error: unknown, connectionString: string): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const text = redactText(String((error as Error)?.message ?? error), connectionString);
  const message = `postgres ${redactUrl(connectionString)}: ${text}`;
  const code = String((error as { code?: unknown })?.code ?? "");
  if (CONFIG_STATES.test(code)) {
    return new StateStoreError(message, { code: "INVALID_CONFIG", field: "connectionString", cause: error });
  }
  if (/^22/.test(code)) return new StateStoreError(message, { code: "INVALID_ARGUMENT", cause: error });
  const unavailable =
    UNAVAILABLE_STATES.test(code) ||
    /^E[A-Z]+$/.test(code) ||
    /timeout|terminated|Connection|ECONNREFUSED|not queryable/i.test(text);
  return new StateStoreError(message, { code: unavailable ? "UNAVAILABLE" : "BACKEND_ERROR", cause: error });
}
