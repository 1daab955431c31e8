import { randomBytes } from "node:crypto";
import { createPostgresStateStore } from "@asya/state";
import { describeStateStoreConformance } from "@asya/state/testing";
import { afterAll, expect, it } from "vitest";
import { loadPgPool } from "../src/internal/load-pg.js";

// The run's private database (test/setup/postgres.ts); a table of this file's own, dropped at the end.
const connectionString = process.env.ASYA_TEST_POSTGRES_URL ?? "";
const table = `asya_state_test_${randomBytes(4).toString("hex")}`;

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const Pool = await loadPgPool();
  const pool = new Pool({ connectionString, max: 1 });
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

afterAll(() => sql(`DROP TABLE IF EXISTS "${table}"`));

describeStateStoreConformance("postgres", {
  create: () => createPostgresStateStore({ connectionString, table }),
});

it("creates its table once, also when several stores start at the same time", async () => {
  const fresh = `${table}_fresh`;
  const stores = await Promise.all(
    Array.from({ length: 4 }, () => createPostgresStateStore({ connectionString, table: fresh })),
  );
  try {
    expect(await Promise.all(stores.map((store) => store.putIfAbsent("k", 1)))).toContain(true);
    const columns = await sql<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      [fresh],
    );
    expect(columns).toEqual([
      { column_name: "key", data_type: "text" },
      { column_name: "value", data_type: "jsonb" },
      { column_name: "expires_at", data_type: "timestamp with time zone" },
    ]);
  } finally {
    await Promise.all(stores.map((store) => store.close()));
    await sql(`DROP TABLE IF EXISTS "${fresh}"`);
  }
});

it("deletes expired rows it meets, and refuses what PostgreSQL cannot hold with INVALID_ARGUMENT", async () => {
  const store = await createPostgresStateStore({ connectionString, table, prefix: "extra/" });
  try {
    await sql(
      `INSERT INTO "${table}" (key, value, expires_at) VALUES ('extra/old', '1', now() - interval '1 second')`,
    );
    expect(await store.get("old")).toBeUndefined();
    expect(await sql(`SELECT key FROM "${table}" WHERE key = 'extra/old'`)).toEqual([]);
    await expect(store.put("nul", "a\u0000b")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(store.put("a\u0000b", 1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  } finally {
    await store.close();
  }
});
