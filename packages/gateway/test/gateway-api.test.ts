import { createEnvelopeSpy } from "@asya/runtime/testing";
import { describe, expect, it } from "vitest";
import { post, startGateway, until, watch } from "./helpers.js";

// The mesh API from outside: plain fetch for requests, the `eventsource` package for SSE.

describe("creating tasks (GATEWAY.md section 2)", () => {
  it("publishes {id, route, headers with x-asya-gateway-url, status pending + deadline, payload} and stores a pending task", async () => {
    const { transport, api, gateway } = await startGateway({ namespace: "prod" });
    const spy = createEnvelopeSpy(transport);
    const created = await post(`${api}/mesh?actor=clean`, {
      payload: { text: "hi" },
      headers: { "x-trace": "t" },
      timeout: 60,
    });
    expect(created.status).toBe(201);
    const id = created.body?.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => spy.history(id).length > 0, 5_000, "the published envelope");
    const record = spy.history(id)[0]!;
    expect(record.queue).toBe("asya-prod-clean");
    expect(record.envelope).toMatchObject({
      id,
      route: { prev: [], curr: "clean", next: [] },
      headers: { "x-trace": "t", "x-asya-gateway-url": gateway.internalUrl },
      status: { phase: "pending" },
      payload: { text: "hi" },
    });
    const deadline = Date.parse(record.envelope?.status?.deadline_at ?? "");
    expect(deadline - Date.now()).toBeGreaterThan(50_000);
    const task = await (await fetch(`${api}/mesh/${id}`)).json();
    expect(task).toMatchObject({ id, status: "pending", data: { status: "pending" } });
    const list = await (await fetch(`${api}/mesh?status=pending`)).json();
    expect(list).toMatchObject({ total: 1, messages: [{ id }] });
  });

  it("an Idempotency-Key returns the same id (200) and publishes once", async () => {
    const { transport, api } = await startGateway();
    const first = await post(`${api}/mesh?actor=clean`, {}, { "idempotency-key": "k-1" });
    const again = await post(`${api}/mesh?actor=clean`, {}, { "idempotency-key": "k-1" });
    expect(first.status).toBe(201);
    expect(again).toEqual({ status: 200, body: { id: first.body?.id } });
    expect(await transport.depth("asya-clean")).toBe(1);
  });

  it.each([
    ["unknown actor (registry)", "/mesh?actor=ghost", "{}", 404],
    ["no actor", "/mesh", "{}", 400],
    ["malformed JSON", "/mesh?actor=clean", "{nope", 400],
    ["route in the body", "/mesh?actor=clean", '{"route":{"next":["x"]}}', 400],
    ["next in the body", "/mesh?actor=clean", '{"next":["x"]}', 400],
    ["id in the body", "/mesh?actor=clean", '{"id":"mine"}', 400],
    ["a body that is not an object", "/mesh?actor=clean", "[1]", 400],
    ["a negative timeout", "/mesh?actor=clean", '{"timeout":-1}', 400],
  ])("%s -> %s with a JSON error, nothing published", async (_what, path, body, status) => {
    const { transport, api } = await startGateway({ actors: ["clean"] });
    const response = await post(`${api}${path}`, body);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(await transport.depth("asya-clean")).toBe(0);
  });

  it("a body over the limit is 413; unknown tasks are 404; a wrong or missing token is 401 on both listeners", async () => {
    const { api, internal } = await startGateway({
      maxBodyBytes: 1_000,
      apiKey: "ext",
      internalToken: "int",
    });
    const auth = { authorization: "Bearer ext" };
    expect((await post(`${api}/mesh?actor=clean`, { payload: "x".repeat(2_000) }, auth)).status).toBe(413);
    expect((await fetch(`${api}/mesh/nope`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${api}/mesh/nope/events`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${api}/mesh/nope`)).status).toBe(401);
    expect((await fetch(`${api}/mesh/nope`, { headers: { authorization: "Bearer int" } })).status).toBe(401);
    expect((await post(`${internal}/mesh/nope/events`, { type: "fly", data: 1 })).status).toBe(401);
    expect(
      (await post(`${internal}/mesh/nope/events`, { type: "fly", data: 1 }, { authorization: "Bearer int" }))
        .status,
    ).toBe(404);
    expect((await fetch(api.replace("/api/v1", "/healthz"))).status).toBe(200);
    const metrics = await (await fetch(api.replace("/api/v1", "/metrics"))).text();
    expect(metrics).toContain('asya_gateway_tasks{status="pending"} 0');
    expect(metrics).toMatch(/asya_gateway_sse_clients 0/);
    expect(metrics).toMatch(/asya_gateway_event_lag_seconds_count \d+/);
  });
});

describe("reports and SSE", () => {
  it("an SSE client sees the stored status first, then running, FLY events and the final, then the stream ends", async () => {
    const { api, internal } = await startGateway();
    const id = (await post(`${api}/mesh?actor=llm`, {})).body?.id as string;
    const client = watch(`${api}/mesh/${id}/events`);
    await until(() => client.events.length === 1, 5_000, "first event");
    expect(client.events[0]).toEqual({
      type: "status",
      id: undefined,
      data: { status: "pending", progress: 0 },
    });
    const report = (body: unknown) => post(`${internal}/mesh/${id}/events`, body);
    expect(
      (await report({ type: "status", status: "running", data: { actor: "llm", progress: 50 } })).status,
    ).toBe(204);
    for (const tokens of ["Hel", "lo"])
      expect((await report({ type: "fly", data: { tokens } })).status).toBe(204);
    // Stale (lower rank) is answered 204 and not published.
    expect((await report({ type: "status", status: "pending", data: {} })).status).toBe(204);
    expect((await report({ type: "status", status: "succeeded", data: { result: "Hello" } })).status).toBe(
      204,
    );
    // A second terminal status is ignored.
    expect((await report({ type: "status", status: "failed", data: { error: "late" } })).status).toBe(204);
    await client.done;
    expect(client.events.map((e) => [e.type, e.data])).toEqual([
      ["status", { status: "pending", progress: 0 }],
      ["status", { status: "running", actor: "llm", progress: 50 }],
      ["fly", { tokens: "Hel" }],
      ["fly", { tokens: "lo" }],
      ["status", { status: "succeeded", result: "Hello", progress: 100 }],
    ]);
    const ids = client.events.slice(1).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(((await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string }).status).toBe(
      "succeeded",
    );
    const history = (await (await fetch(`${api}/mesh/${id}/history`)).json()) as {
      events: Array<{ status: string; actor?: string; data: unknown }>;
    };
    expect(history.events.map((e: { status: string }) => e.status)).toEqual([
      "pending",
      "running",
      "succeeded",
    ]);
    // A client joining a finished task gets the one status event, and the stream closes.
    const late = watch(`${api}/mesh/${id}/events`);
    await late.done;
    expect(late.events).toEqual([
      { type: "status", id: undefined, data: { status: "succeeded", result: "Hello", progress: 100 } },
    ]);
  });

  it("Last-Event-ID resumes after the last event seen; a late joiner gets the kept FLY events", async () => {
    const { api, internal } = await startGateway();
    const id = (await post(`${api}/mesh?actor=llm`, {})).body?.id as string;
    const report = (body: unknown) => post(`${internal}/mesh/${id}/events`, body);
    await report({ type: "status", status: "running", data: {} });
    for (let i = 0; i < 3; i++) await report({ type: "fly", data: i });
    const late = watch(`${api}/mesh/${id}/events`, { stopAfter: (events) => events.length === 4 });
    await late.done;
    expect(late.events.map((e) => [e.type, e.data])).toEqual([
      ["status", { status: "running", progress: 0 }],
      ["fly", 0],
      ["fly", 1],
      ["fly", 2],
    ]);
    const resumeFrom = late.events[2]?.id as string;
    for (let i = 3; i < 5; i++) await report({ type: "fly", data: i });
    await report({ type: "status", status: "succeeded", data: {} });
    const resumed = watch(`${api}/mesh/${id}/events`, { lastEventId: resumeFrom });
    await resumed.done;
    expect(resumed.events.map((e) => [e.type, e.data])).toEqual([
      ["fly", 2],
      ["fly", 3],
      ["fly", 4],
      ["status", { status: "succeeded", progress: 100 }],
    ]);
  });

  it("Asya's legacy sidecar paths are accepted; DELETE cancels (pre-flight sees it); the all-tasks stream carries ids", async () => {
    const { api, internal, gateway } = await startGateway();
    const all = watch(`${api}/mesh/events`, { stopAfter: (events) => events.length === 3 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const a = (await post(`${api}/mesh?actor=x`, {})).body?.id as string;
    const bare = gateway.internalUrl;
    expect((await post(`${bare}/mesh/${a}/progress`, { actor: "x", progress: 10 })).status).toBe(204);
    expect((await post(`${bare}/mesh/${a}/fly`, { tokens: "t" })).status).toBe(204);
    expect((await post(`${internal}/mesh/${a}/final`, { status: "failed", error: "boom" })).status).toBe(204);
    await all.done;
    expect(all.events.map((e) => (e.data as { id: string; status: string }).status)).toEqual([
      "pending",
      "running",
      "failed",
    ]);
    expect(all.events.every((e) => (e.data as { id: string }).id === a)).toBe(true);

    const b = (await post(`${api}/mesh?actor=x`, {})).body?.id as string;
    expect((await fetch(`${api}/mesh/${b}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${api}/mesh/${b}`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${api}/mesh/unknown`, { method: "DELETE" })).status).toBe(404);
    expect(((await (await fetch(`${internal}/mesh/${b}`)).json()) as { status: string }).status).toBe(
      "canceled",
    );
  });

  it("fails pending/running tasks past their deadline_at with 'task timed out'", async () => {
    const { api } = await startGateway({ sweepIntervalMs: 50 });
    const id = (await post(`${api}/mesh?actor=slow`, { timeout: 0.2 })).body?.id as string;
    const client = watch(`${api}/mesh/${id}/events`);
    await client.done;
    expect(client.events.at(-1)?.data).toMatchObject({ status: "failed", error: "task timed out" });
  });
});

describe("gateway and runtime together (memory transport)", () => {
  it("a task created over HTTP runs through actors that report running, FLY and the final to the gateway", async () => {
    const { createActor, createSinkActor, createMemoryStore, silentLogger } = await import("@asya/runtime");
    const { transport, api, gateway } = await startGateway();
    const trusted = { url: gateway.internalUrl };
    const actors = [
      createActor({
        name: "shout",
        transport,
        logger: silentLogger,
        gateway: trusted,
        // Successors come from the actors: this one routes on to `stream`.
        async *handler(p: { text: string }) {
          yield ["SET", ".route.next", ["stream"]];
          yield { text: p.text.toUpperCase() };
        },
      }),
      createActor({
        name: "stream",
        transport,
        logger: silentLogger,
        gateway: trusted,
        async *handler(p: { text: string }) {
          for (const letter of p.text) yield ["FLY", letter];
          yield { said: p.text };
        },
      }),
      createSinkActor({ transport, logger: silentLogger, store: createMemoryStore(), gateway: trusted }),
    ];
    for (const actor of actors) await actor.start();
    try {
      const id = (await post(`${api}/mesh?actor=shout`, { payload: { text: "hey" } })).body?.id as string;
      const client = watch(`${api}/mesh/${id}/events`);
      await client.done;
      const seen = client.events.map((e) => [
        e.type,
        e.type === "status" ? (e.data as { status: string }).status : e.data,
      ]);
      // The client may connect after shout reported: the snapshot then stands for what it missed.
      expect(seen.at(-1)).toEqual(["status", "succeeded"]);
      expect(seen.filter(([type]) => type === "fly")).toEqual([
        ["fly", "H"],
        ["fly", "E"],
        ["fly", "Y"],
      ]);
      expect(client.events.at(-1)?.data).toMatchObject({
        status: "succeeded",
        result: { said: "HEY" },
        progress: 100,
      });
      const history = (await (await fetch(`${api}/mesh/${id}/history`)).json()) as {
        events: Array<{ status: string; actor?: string; data: unknown }>;
      };
      expect(history.events.map((e: { status: string; actor?: string }) => [e.status, e.actor])).toEqual([
        ["pending", undefined],
        ["running", "shout"],
        ["running", "stream"],
        ["succeeded", undefined],
      ]);
      expect(history.events[2]?.data).toMatchObject({
        prev: ["shout"],
        curr: "stream",
        next: [],
        progress: 100,
      });
    } finally {
      for (const actor of actors) await actor.stop({ graceMs: 100 });
    }
  });
});
