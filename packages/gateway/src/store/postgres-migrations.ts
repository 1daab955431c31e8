import { createHash } from "node:crypto";
import type { ClientBase } from "pg";

/** SQL names of one store's objects, already quoted where SQL needs it. */
export interface PostgresNames {
  /** `"schema"`. */
  readonly schema: string;
  /** `"schema"."<prefix>tasks"`. */
  readonly tasks: string;
  /** `"schema"."<prefix>task_events"`. */
  readonly events: string;
  /** `"schema"."<prefix>schema_migrations"`: applied migration versions. */
  readonly migrations: string;
  /** The unquoted schema name (catalog lookups). */
  readonly schemaName: string;
  /** The unquoted table prefix (index names). */
  readonly prefix: string;
  /** NOTIFY channel, unique per schema + prefix so stores on other tables are not woken. */
  readonly channel: string;
  /** Key of the advisory lock migrations run under, a signed 64-bit integer in decimal. */
  readonly lockKey: string;
}

/** Names of the store living in `schema` with tables named `<tablePrefix>tasks` etc. */
export function postgresNames(schema: string, tablePrefix: string): PostgresNames {
  // Callers validate both as [a-z_][a-z0-9_]*, so double quotes are all the quoting needed.
  const qualified = (table: string) => `"${schema}"."${tablePrefix}${table}"`;
  const digest = createHash("sha256").update(`asya-gateway:${schema}.${tablePrefix}`).digest();
  return {
    schema: `"${schema}"`,
    tasks: qualified("tasks"),
    events: qualified("task_events"),
    migrations: qualified("schema_migrations"),
    schemaName: schema,
    prefix: tablePrefix,
    // Channel names are identifiers (63 bytes at most): a hash keeps any schema + prefix short.
    channel: `asya_events_${digest.subarray(0, 8).toString("hex")}`,
    lockKey: digest.readBigInt64BE(8).toString(),
  };
}

interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: (names: PostgresNames) => string;
}

/**
 * Every schema change, oldest first. Never edit an applied one: add a new version. Each is plain
 * SQL that is also safe to re-run (`IF NOT EXISTS`).
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "tasks and task events",
    sql: ({ tasks, events, prefix }) => `
      CREATE TABLE IF NOT EXISTS ${tasks} (
        id text PRIMARY KEY,
        -- Insertion order: breaks created_at ties in list() the way the memory store does.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        status text NOT NULL
          CHECK (status IN ('pending', 'running', 'paused', 'succeeded', 'failed', 'canceled')),
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deadline_at timestamptz,
        data jsonb NOT NULL,
        idempotency_key text UNIQUE
      );
      CREATE INDEX IF NOT EXISTS "${prefix}tasks_list_idx" ON ${tasks} (created_at DESC, seq DESC);
      CREATE INDEX IF NOT EXISTS "${prefix}tasks_updated_idx" ON ${tasks} (updated_at);
      CREATE INDEX IF NOT EXISTS "${prefix}tasks_deadline_idx" ON ${tasks} (deadline_at)
        WHERE status IN ('pending', 'running');
      -- event_id is the SSE id. Identity values are handed out in nextval() order (CACHE 1, the
      -- default: a larger cache would break the subscriber's gap reasoning, see postgres-event-tail.ts).
      CREATE TABLE IF NOT EXISTS ${events} (
        event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id text NOT NULL REFERENCES ${tasks} (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('status', 'fly')),
        data jsonb NOT NULL,
        actor text,
        at timestamptz NOT NULL
      );
      CREATE INDEX IF NOT EXISTS "${prefix}task_events_task_idx" ON ${events} (task_id, event_id);
    `,
  },
];

/**
 * Applies the migrations `names`' schema lacks, in one transaction under an advisory lock, so that
 * replicas starting together on an empty database do not race (concurrent `CREATE ... IF NOT EXISTS`
 * can still fail on the catalog's unique indexes). When everything is applied it runs no DDL at all,
 * so a role without CREATE rights can open a store an administrator migrated.
 */
export async function migrate(client: ClientBase, names: PostgresNames): Promise<void> {
  await client.query("BEGIN");
  try {
    // Transaction-scoped: released by COMMIT/ROLLBACK, also when this process dies mid-way.
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [names.lockKey]);
    const found = await client.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [
      names.migrations,
    ]);
    const applied = new Set<number>();
    if (found.rows[0]?.present === true) {
      const rows = await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`);
      for (const row of rows.rows) applied.add(row.version);
    }
    const pending = MIGRATIONS.filter((migration) => !applied.has(migration.version));
    if (pending.length > 0) {
      const schema = await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [names.schemaName]);
      // CREATE SCHEMA checks the database's CREATE right even with IF NOT EXISTS: only when missing.
      if (schema.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${names.migrations} (
          version integer PRIMARY KEY,
          description text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      for (const migration of pending) {
        await client.query(migration.sql(names));
        await client.query(`INSERT INTO ${names.migrations} (version, description) VALUES ($1, $2)`, [
          migration.version,
          migration.description,
        ]);
      }
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
