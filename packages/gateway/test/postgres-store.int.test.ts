import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type { Client as PgClient, QueryResultRow } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { testPostgresUrl } from "../../../test/setup/postgres.js";
import {
  createPostgresTaskStore,
  type PostgresTaskStoreOptions,
  postgresListenerPidForTesting,
} from "../src/store/postgres-store.js";
import type { TaskEvent, TaskStore } from "../src/store/task-store.js";
import { describeTaskStore } from "./store-cases.js";

// Every store lives in a schema of its own (dropped when the last store on it closes): the
// contract's prune removes every task older than a minute from now, which must not reach other
// files' or tests' tasks.
const url = testPostgresUrl();
const openPerSchema = new Map<string, number>();

afterAll(async () => {
  for (const schema of openPerSchema.keys()) await dropSchema(schema);
});

// pg's entry point does not load under vitest's `--conditions import` (see loadPg in
// postgres-store.ts); its Client does.
const Client = createRequire(import.meta.url)("pg/lib/client.js") as typeof PgClient;

async function connect(): Promise<PgClient> {
  const client = new Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Runs one statement on a connection of its own. */
async function sql<R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = await connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const newSchema = () => `gw_${randomBytes(6).toString("hex")}`;
let counter = 0;
const uniqueId = () => `pg-${process.pid}-${Date.now()}-${++counter}`;

async function dropSchema(schema: string): Promise<void> {
  await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

async function openStore(
  schema: string,
  options: Partial<PostgresTaskStoreOptions> = {},
): Promise<TaskStore> {
  const store = await createPostgresTaskStore({ connectionString: url, schema, poolMax: 4, ...options });
  openPerSchema.set(schema, (openPerSchema.get(schema) ?? 0) + 1);
  const close = store.close;
  let closed = false;
  store.close = async () => {
    await close();
    if (closed) return;
    closed = true;
    const left = (openPerSchema.get(schema) ?? 1) - 1;
    if (left > 0) {
      openPerSchema.set(schema, left);
      return;
    }
    openPerSchema.delete(schema);
    await dropSchema(schema);
  };
  return store;
}

/** Waits until `check` holds (or fails after `timeoutMs`). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A writer and a replica subscribed to it, closed (and their schema dropped) after `body`. */
async function withReplicas(
  readerOptions: Partial<PostgresTaskStoreOptions>,
  body: (stores: {
    writer: TaskStore;
    reader: TaskStore;
    seen: TaskEvent[];
    schema: string;
  }) => Promise<void>,
): Promise<void> {
  const schema = newSchema();
  const writer = await openStore(schema);
  const reader = await openStore(schema, readerOptions);
  const seen: TaskEvent[] = [];
  const unsubscribe = reader.subscribe((event) => seen.push(event));
  try {
    await body({ writer, reader, seen, schema });
  } finally {
    unsubscribe();
    await reader.close();
    await writer.close();
  }
}

const expectIdOrder = (events: readonly TaskEvent[]) => {
  const ids = events.map((event) => event.eventId);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  expect(new Set(ids).size).toBe(ids.length);
};

let lastSchema = "";
describeTaskStore("postgres", {
  create: () => {
    lastSchema = newSchema();
    return openStore(lastSchema);
  },
  replica: () => openStore(lastSchema),
});

describe("PostgreSQL task store", () => {
  it("migrates once when several replicas start together on an empty schema", async () => {
    const schema = newSchema();
    const stores = await Promise.all([openStore(schema), openStore(schema), openStore(schema)]);
    try {
      const id = uniqueId();
      await stores[0]?.create({ id });
      expect(await stores[2]?.get(id)).toMatchObject({ id, status: "pending" });
      expect(await sql(`SELECT version FROM "${schema}".asya_schema_migrations`)).toEqual([{ version: 1 }]);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it("delivers a FLY larger than NOTIFY's 8000-byte payload limit to another replica", () =>
    withReplicas({}, async ({ writer, seen }) => {
      const id = uniqueId();
      const big = { text: "x".repeat(20_000), n: 1 };
      await writer.create({ id });
      await writer.reportFly(id, big, "llm");
      await until(() => seen.some((event) => event.kind === "fly"));
      expect(seen.find((event) => event.kind === "fly")).toMatchObject({
        taskId: id,
        data: big,
        actor: "llm",
      });
    }));

  it("catches up after its LISTEN connection is terminated", () =>
    // No poll: only NOTIFY and the reconnect's catch-up can deliver.
    withReplicas({ pollIntervalMs: 600_000 }, async ({ writer, reader, seen }) => {
      const id = uniqueId();
      await writer.create({ id });
      await until(() => seen.length === 1);
      const before = postgresListenerPidForTesting(reader);
      expect(before).toBeTypeOf("number");
      await sql("SELECT pg_terminate_backend($1)", [before]);
      for (let i = 0; i < 5; i++) await writer.reportFly(id, i);
      await writer.reportStatus(id, "succeeded", {});
      await until(() => seen.length === 7);
      expect(seen.map((event) => event.kind)).toEqual(["status", ...Array(5).fill("fly"), "status"]);
      expectIdOrder(seen);
      const after = postgresListenerPidForTesting(reader);
      expect(after).toBeTypeOf("number");
      expect(after).not.toBe(before);
    }));

  it("delivers every event of concurrent writers on two replicas once, in id order", () =>
    withReplicas({}, async ({ writer, reader, seen }) => {
      // Many transactions at once commit out of id order: the reader must neither skip nor repeat.
      const ids = Array.from({ length: 20 }, () => uniqueId());
      await Promise.all(
        ids.map(async (id, i) => {
          await (i % 2 === 0 ? writer : reader).create({ id });
          for (let n = 0; n < 30; n++) await (n % 2 === 0 ? writer : reader).reportFly(id, n);
        }),
      );
      const expected = ids.length * 31;
      await until(() => seen.length >= expected);
      expectIdOrder(seen);
      expect(seen).toHaveLength(expected);
      const stored = (await Promise.all(ids.map((id) => writer.events(id)))).flat();
      expect(new Set(seen.map((event) => event.eventId))).toEqual(new Set(stored.map((e) => e.eventId)));
    }));

  /** Opens a transaction holding an event id of `taskId` (as a slow replica would), not committed yet. */
  const holdEventId = async (schema: string, taskId: string) => {
    const client = await connect();
    await client.query("BEGIN; SELECT pg_current_xact_id()");
    const inserted = await client.query<{ event_id: string }>(
      `INSERT INTO "${schema}".asya_task_events (task_id, kind, data, at)
       VALUES ($1, 'fly', '"held"', now()) RETURNING event_id`,
      [taskId],
    );
    return { client, eventId: Number(inserted.rows[0]?.event_id) };
  };

  it("holds back an event committed before a lower id, then delivers both in id order", () =>
    withReplicas({ pollIntervalMs: 50, gapTimeoutMs: 60_000 }, async ({ writer, seen, schema }) => {
      const [slow, fast] = [uniqueId(), uniqueId()];
      await writer.create({ id: slow });
      await writer.create({ id: fast });
      await until(() => seen.length === 2);
      const held = await holdEventId(schema, slow);
      try {
        const later = await writer.reportFly(fast, "later");
        expect(later.kind === "applied" && later.event.eventId).toBeGreaterThan(held.eventId);
        // Several polls pass: the committed later event must wait for the open lower id.
        await sleep(400);
        expect(seen).toHaveLength(2);
        await held.client.query("COMMIT");
      } finally {
        await held.client.end();
      }
      await until(() => seen.length === 4);
      expect(seen.slice(2).map((event) => event.data)).toEqual(["held", "later"]);
      expectIdOrder(seen);
    }));

  it("holds back a committed event also when its transaction's xid is older than the open one's", () =>
    // The open transaction's xid is above every completed one, so the snapshot's xmax does not
    // cover it: only an xid taken after the read does.
    withReplicas({ pollIntervalMs: 50, gapTimeoutMs: 60_000 }, async ({ writer, seen, schema }) => {
      const [slow, fast] = [uniqueId(), uniqueId()];
      await writer.create({ id: slow });
      await writer.create({ id: fast });
      await until(() => seen.length === 2);
      const early = await connect();
      let held: Awaited<ReturnType<typeof holdEventId>> | undefined;
      try {
        await early.query("BEGIN; SELECT pg_current_xact_id()");
        held = await holdEventId(schema, slow);
        await early.query(
          `INSERT INTO "${schema}".asya_task_events (task_id, kind, data, at)
           VALUES ($1, 'fly', '"later"', now())`,
          [fast],
        );
        await early.query("COMMIT");
        await sleep(400);
        expect(seen).toHaveLength(2);
        await held.client.query("COMMIT");
      } finally {
        await early.end();
        await held?.client.end();
      }
      await until(() => seen.length === 4);
      expect(seen.slice(2).map((event) => event.data)).toEqual(["held", "later"]);
      expectIdOrder(seen);
    }));

  it("passes the id of a rolled-back transaction as soon as it ended, not after gapTimeoutMs", () =>
    withReplicas({ pollIntervalMs: 50, gapTimeoutMs: 60_000 }, async ({ writer, seen, schema }) => {
      const [slow, fast] = [uniqueId(), uniqueId()];
      await writer.create({ id: slow });
      await writer.create({ id: fast });
      await until(() => seen.length === 2);
      const held = await holdEventId(schema, slow);
      try {
        await writer.reportFly(fast, "later");
        await sleep(200);
        expect(seen).toHaveLength(2);
        await held.client.query("ROLLBACK");
      } finally {
        await held.client.end();
      }
      await until(() => seen.length === 3, 5_000);
      expect(seen[2]).toMatchObject({ taskId: fast, data: "later" });
    }));

  it("fails to open with an error that names the host, not the password", async () => {
    const opening = createPostgresTaskStore({
      connectionString: "postgres://someone:s3cret-pw@127.0.0.1:1/gateway",
      connectTimeoutMs: 5_000,
    });
    await expect(opening).rejects.toMatchObject({
      name: "GatewayError",
      code: "STORE_UNAVAILABLE",
      retryable: true,
      message: expect.stringContaining("127.0.0.1:1/gateway"),
    });
    const error = await opening.catch((caught: unknown) => caught);
    expect(String((error as Error).message)).not.toContain("s3cret-pw");
  });

  it("rejects invalid options", async () => {
    await expect(
      createPostgresTaskStore({ connectionString: url, schema: "Bad-Name" }),
    ).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      field: "schema",
    });
    await expect(createPostgresTaskStore({})).rejects.toMatchObject({ code: "INVALID_CONFIG" });
  });
});
