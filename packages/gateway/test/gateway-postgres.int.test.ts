import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createMemoryStore, createSinkActor, silentLogger } from "@asya/runtime";
import { createMemoryTransport } from "@asya/transport";
import type { Client as PgClient } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/setup/net.js";
import { testPostgresUrl } from "../../../test/setup/postgres.js";
import { createGateway, createPostgresTaskStore, type TaskStore } from "../src/index.js";
import { onCleanup, post, until, watch } from "./helpers.js";

// Several gateway replicas and restarts on one PostgreSQL database (GATEWAY.md section 3, last
// bullet), from outside: HTTP and the `eventsource` package.

const url = testPostgresUrl();
const schemas: string[] = [];
const Client = createRequire(import.meta.url)("pg/lib/client.js") as typeof PgClient;

afterAll(async () => {
  const client = new Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

function newSchema(): string {
  const schema = `gwe_${randomBytes(6).toString("hex")}`;
  schemas.push(schema);
  return schema;
}

async function replica(schema: string, ports: { port?: number; internalPort?: number } = {}) {
  const store: TaskStore = await createPostgresTaskStore({
    connectionString: url,
    schema,
    poolMax: 4,
    pollIntervalMs: 200,
  });
  const transport = createMemoryTransport();
  const gateway = await createGateway({
    transport,
    store,
    port: ports.port ?? 0,
    internalPort: ports.internalPort ?? 0,
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await gateway.close();
    await store.close();
    await transport.close();
  };
  onCleanup(close);
  return {
    gateway,
    transport,
    api: `${gateway.url}/api/v1`,
    internal: `${gateway.internalUrl}/api/v1`,
    close,
  };
}

describe("gateway replicas on PostgreSQL", () => {
  it("an SSE client on replica B sees what actors report to replica A, in order, to the end", async () => {
    const schema = newSchema();
    const a = await replica(schema);
    const b = await replica(schema);
    const id = (await post(`${a.api}/mesh?actor=llm`, {})).body?.id as string;
    const client = watch(`${b.api}/mesh/${id}/events`);
    await until(() => client.events.length === 1, 10_000, "the first event on B");
    await post(`${a.internal}/mesh/${id}/events`, {
      type: "status",
      status: "running",
      data: { actor: "llm", progress: 40 },
    });
    for (let i = 0; i < 5; i++)
      await post(`${a.internal}/mesh/${id}/events`, { type: "fly", data: { i, big: "x".repeat(10_000) } });
    await post(`${b.internal}/mesh/${id}/events`, {
      type: "status",
      status: "succeeded",
      data: { result: "ok" },
    });
    await client.done;
    expect(
      client.events.map((e) => [
        e.type,
        e.type === "fly" ? (e.data as { i: number }).i : (e.data as { status: string }).status,
      ]),
    ).toEqual([
      ["status", "pending"],
      ["status", "running"],
      ["fly", 0],
      ["fly", 1],
      ["fly", 2],
      ["fly", 3],
      ["fly", 4],
      ["status", "succeeded"],
    ]);
    // A status reported to B after the end is stale on A too.
    expect(
      (await post(`${a.internal}/mesh/${id}/events`, { type: "status", status: "failed", data: {} })).status,
    ).toBe(204);
    expect(((await (await fetch(`${a.api}/mesh/${id}`)).json()) as { status: string }).status).toBe(
      "succeeded",
    );
  });

  it("after a restart tasks are still there and a client resumes with Last-Event-ID", async () => {
    const schema = newSchema();
    const first = await replica(schema);
    const id = (await post(`${first.api}/mesh?actor=llm`, {})).body?.id as string;
    await post(`${first.internal}/mesh/${id}/events`, { type: "status", status: "running", data: {} });
    await post(`${first.internal}/mesh/${id}/events`, { type: "fly", data: "a" });
    const before = watch(`${first.api}/mesh/${id}/events`, { stopAfter: (events) => events.length === 2 });
    await before.done;
    const lastSeen = before.events.at(-1)?.id as string;
    await first.close();

    const second = await replica(schema);
    expect(await (await fetch(`${second.api}/mesh/${id}`)).json()).toMatchObject({ id, status: "running" });
    await post(`${second.internal}/mesh/${id}/events`, { type: "fly", data: "b" });
    await post(`${second.internal}/mesh/${id}/events`, { type: "status", status: "succeeded", data: {} });
    const resumed = watch(`${second.api}/mesh/${id}/events`, { lastEventId: lastSeen });
    await resumed.done;
    expect(resumed.events.map((e) => [e.type, e.data])).toEqual([
      ["fly", "b"],
      ["status", { status: "succeeded", progress: 100 }],
    ]);
  });

  it("a gateway down while the pipeline ends: x-sink keeps its final and it is applied when the gateway returns", async () => {
    const schema = newSchema();
    const [port, internalPort] = [await freePort(), await freePort()];
    const first = await replica(schema, { port, internalPort });
    const id = (await post(`${first.api}/mesh?actor=llm`, {})).body?.id as string;
    const internalUrl = first.gateway.internalUrl;
    await first.close();

    const transport = createMemoryTransport();
    const results = createMemoryStore();
    const sink = createSinkActor({
      transport,
      store: results,
      logger: silentLogger,
      gateway: { url: internalUrl, timeoutMs: 300 },
    });
    await sink.start();
    onCleanup(async () => {
      await sink.stop({ graceMs: 100 });
      await transport.close();
    });
    await transport.publish("asya-x-sink", {
      body: encodeEnvelope(
        createEnvelope({
          id,
          route: { prev: ["llm"], curr: "", next: [] },
          headers: { "x-asya-gateway-url": internalUrl },
          status: { phase: "succeeded" },
          payload: { answer: 42 },
        }),
      ),
    });
    // Nothing is stored while the gateway is down: the final is not taken, the message comes back.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(results.envelopes).toEqual([]);

    const second = await replica(schema, { port, internalPort });
    await until(
      async () =>
        ((await (await fetch(`${second.api}/mesh/${id}`)).json()) as { status: string }).status ===
        "succeeded",
      10_000,
      "the final",
    );
    expect(
      ((await (await fetch(`${second.api}/mesh/${id}`)).json()) as { data: unknown }).data,
    ).toMatchObject({ result: { answer: 42 } });
    await until(() => results.envelopes.length === 1, 5_000, "the stored result");
  });
});
