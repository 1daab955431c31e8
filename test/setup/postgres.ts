import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";

/** The PostgreSQL database the integration tests use. */
export interface PostgresHandle {
  readonly url: string;
  stop(): Promise<void>;
}

/** The part of pg's Client this file uses (`@asya/test` does not depend on pg; the gateway does). */
interface SqlClient {
  connect(): Promise<unknown>;
  query(sql: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}
type SqlClientClass = new (config: {
  connectionString: string;
  connectionTimeoutMillis: number;
}) => SqlClient;

// The machine's server, as the CI image sets it up: trust auth for 127.0.0.1.
const SERVER_URL = "postgres://postgres@127.0.0.1:5432";
const DATABASE_PREFIX = "asya_test_";
const START_HINT = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

function clientClass(): SqlClientClass {
  const require = createRequire(new URL("../../packages/gateway/package.json", import.meta.url));
  return (require("pg") as { Client: SqlClientClass }).Client;
}

async function withAdmin<T>(body: (client: SqlClient) => Promise<T>): Promise<T> {
  const Client = clientClass();
  const client = new Client({ connectionString: `${SERVER_URL}/postgres`, connectionTimeoutMillis: 10_000 });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `[asya:test] PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth) is not reachable: ${String(error)}. ` +
        `Start it with \`${START_HINT}\`, or set ASYA_TEST_POSTGRES_URL to a database the tests may use.`,
      { cause: error },
    );
  }
  try {
    return await body(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Returns `ASYA_TEST_POSTGRES_URL` when set (the caller owns that database; tests only create and
 * drop schemas of their own in it). Otherwise creates a private database `asya_test_<pid>_<random>`
 * on the machine's PostgreSQL (127.0.0.1:5432, user `postgres`, trust auth) and drops it at
 * `stop()`. Databases of earlier runs that died before their teardown (whose PID is gone) are
 * dropped first.
 *
 * @throws Error naming the command that starts PostgreSQL when it is not reachable.
 */
export async function startPostgresDatabaseIfNeeded(): Promise<PostgresHandle> {
  const external = process.env.ASYA_TEST_POSTGRES_URL;
  if (external !== undefined && external !== "") {
    process.stderr.write("[asya:test] PostgreSQL: external database from ASYA_TEST_POSTGRES_URL\n");
    return { url: external, stop: async () => {} };
  }
  const database = `${DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin(async (client) => {
    const { rows } = await client.query(
      `SELECT datname FROM pg_database WHERE datname LIKE '${DATABASE_PREFIX}%'`,
    );
    for (const { datname } of rows) {
      const pid = Number(/^asya_test_(\d+)_[0-9a-f]+$/.exec(String(datname))?.[1]);
      if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
      // Without FORCE: a database someone is still connected to (a run we cannot see) stays.
      try {
        await client.query(`DROP DATABASE IF EXISTS "${datname}"`);
        process.stderr.write(
          `[asya:test] PostgreSQL: dropped ${datname}, left by an earlier run that died\n`,
        );
      } catch {
        // in use: not an orphan after all
      }
    }
    await client.query(`CREATE DATABASE "${database}"`);
  });
  process.stderr.write(`[asya:test] PostgreSQL: private database ${database} on 127.0.0.1:5432\n`);
  return {
    url: `${SERVER_URL}/${database}`,
    async stop() {
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    },
  };
}

/**
 * The database URL for tests, as the integration global setup provided it. Never a default: a test
 * run outside that setup must not quietly use whatever listens on 5432.
 *
 * @throws Error when ASYA_TEST_POSTGRES_URL is unset.
 */
export function testPostgresUrl(): string {
  const url = process.env.ASYA_TEST_POSTGRES_URL;
  if (url === undefined || url === "") {
    throw new Error(
      "[asya:test] ASYA_TEST_POSTGRES_URL is unset: PostgreSQL tests run in vitest's integration project, whose global setup creates a private database",
    );
  }
  return url;
}
