import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createMetricsRegistry } from "@asya/runtime";
import { afterEach, describe, expect, it } from "vitest";
import { quietLogger, setup } from "./helpers.js";

// The runtime's side of GATEWAY.md section 3, against a plain HTTP server standing in for the
// gateway: what is reported where, in which order, pre-flight, and that a gateway that is down,
// slow, redirecting or not trusted never costs a message more than the request timeout.

interface Received {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A stand-in gateway: records requests; `answer` decides the response (default 204). */
async function fakeGateway(
  answer: (request: Received, response: ServerResponse) => void = (_r, response) =>
    void response.writeHead(204).end(),
) {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", () => {
      const entry = {
        method: request.method ?? "",
        path: request.url ?? "",
        authorization: request.headers.authorization,
        body: text === "" ? undefined : JSON.parse(text),
      };
      received.push(entry);
      answer(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, events: () => received.filter((r) => r.path.endsWith("/events")) };
}

const capture = () => {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger = {
    ...quietLogger,
    info: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: "info", message, ...(fields ? { fields } : {}) }),
    warn: (message: string, fields?: Record<string, unknown>) =>
      lines.push({ level: "warn", message, ...(fields ? { fields } : {}) }),
    child: () => logger,
  };
  return { lines, logger };
};

describe("gateway reports (GATEWAY.md section 3)", () => {
  it("reports running with route and progress, then FLY events in order, before the outputs are published", async () => {
    // A slow gateway: each report takes 80 ms, so outputs published without waiting would overtake them.
    const gateway = await fakeGateway(
      (_r, response) => void setTimeout(() => response.writeHead(204).end(), 80),
    );
    const t = setup();
    await t.actor({
      name: "streamer",
      gateway: { url: gateway.url, token: "s3cret" },
      async *handler() {
        yield ["FLY", { tokens: "Hel" }];
        yield ["FLY", { tokens: "lo" }];
        yield { text: "Hello" };
      },
    });
    await t.send({
      id: "g-1",
      route: ["prep", "streamer", "next"],
      headers: { "x-asya-gateway-url": gateway.url },
      payload: {},
    });
    // The envelope as the second actor of three sees it.
    await t.transport.publish("asya-streamer", {
      body: encodeEnvelope(
        createEnvelope({
          id: "g-2",
          route: { prev: ["prep"], curr: "streamer", next: ["next"] },
          headers: { "x-asya-gateway-url": gateway.url },
          payload: {},
        }),
      ),
    });
    await t.spy.waitFor("g-2", { to: "next" });
    const reports = gateway.events().filter((r) => r.path === "/api/v1/mesh/g-2/events");
    expect(reports.map((r) => r.body)).toEqual([
      {
        type: "status",
        status: "running",
        data: { actor: "streamer", prev: ["prep"], curr: "streamer", next: ["next"], progress: 66.7 },
      },
      { type: "fly", data: { tokens: "Hel" } },
      { type: "fly", data: { tokens: "lo" } },
    ]);
    expect(reports.every((r) => r.authorization === "Bearer s3cret")).toBe(true);
  });

  it("reports nothing for x-asya-mesh-status off, for an untrusted origin (one warning per origin), or without a trusted gateway", async () => {
    const trusted = await fakeGateway();
    const other = await fakeGateway();
    const { lines, logger } = capture();
    const t = setup();
    await t.actor({ name: "quiet", gateway: { url: trusted.url }, logger, handler: (p: unknown) => p });
    await t.send({
      id: "q-1",
      route: ["quiet"],
      headers: { "x-asya-gateway-url": trusted.url, "x-asya-mesh-status": "off" },
      payload: {},
    });
    for (const id of ["q-2", "q-3"]) {
      await t.send({
        id,
        route: ["quiet"],
        headers: { "x-asya-gateway-url": `${other.url}/x` },
        payload: {},
      });
    }
    await t.spy.waitFor("q-3", { to: "x-sink" });
    expect(trusted.received).toEqual([]);
    expect(other.received).toEqual([]);
    expect(lines.filter((l) => l.level === "warn")).toEqual([
      {
        level: "warn",
        message: "ignoring x-asya-gateway-url outside the trusted gateway origins",
        fields: { origin: other.url, envelope_id: "q-2" },
      },
    ]);

    const untrusting = capture();
    await t.actor({ name: "alone", logger: untrusting.logger, handler: (p: unknown) => p });
    expect(untrusting.lines.map((l) => l.message)).toContain(
      "no gateway is trusted (ASYA_GATEWAY_URL / ASYA_GATEWAY_ALLOWED_ORIGINS unset): progress reports and pre-flight are off",
    );
    await t.send({
      id: "q-4",
      route: ["alone"],
      headers: { "x-asya-gateway-url": trusted.url },
      payload: {},
    });
    await t.spy.waitFor("q-4", { to: "x-sink" });
    expect(trusted.received).toEqual([]);
  });

  it("pre-flight: a canceled task skips the handler and ends canceled/PreFlightCanceled; paused ends paused/PreFlightPaused", async () => {
    const statuses: Record<string, string> = { "c-1": "canceled", "p-1": "paused", "r-1": "running" };
    const gateway = await fakeGateway((request, response) => {
      const id = /\/mesh\/([^/]+)$/.exec(request.path)?.[1];
      if (request.method === "GET" && id !== undefined && statuses[id] !== undefined) {
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ id, status: statuses[id] }));
        return;
      }
      response.writeHead(request.method === "GET" ? 404 : 204).end();
    });
    const calls: string[] = [];
    const t = setup();
    await t.actor({
      name: "checked",
      gateway: { url: gateway.url },
      handler: (p: { n: string }) => {
        calls.push(p.n);
        return p;
      },
    });
    for (const id of ["c-1", "p-1", "r-1"]) {
      await t.send({
        id,
        route: ["checked"],
        headers: { "x-asya-gateway-url": gateway.url },
        payload: { n: id },
      });
    }
    const canceled = await t.spy.waitFor("c-1", { to: "x-sink" });
    const paused = await t.spy.waitFor("p-1", { to: "x-sink" });
    await t.spy.waitFor("r-1", { to: "x-sink" });
    expect(calls).toEqual(["r-1"]);
    expect(canceled.envelope?.status).toMatchObject({
      phase: "canceled",
      reason: "PreFlightCanceled",
      actor: "checked",
    });
    expect(paused.envelope?.status).toMatchObject({ phase: "paused", reason: "PreFlightPaused" });
    expect(canceled.envelope?.payload).toEqual({ n: "c-1" });
    // Stopped tasks get no running report.
    // Reports without FLY are not waited for before outputs go out: wait for it here.
    const deadline = Date.now() + 2_000;
    while (gateway.events().length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(gateway.events().map((r) => r.path)).toEqual(["/api/v1/mesh/r-1/events"]);
  });

  it("pre-flight asks once per task for a fan-out's children (the parent's id, terminal answers cached)", async () => {
    const gateway = await fakeGateway((request, response) => {
      if (request.method === "GET") {
        response
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ status: "canceled" }));
      } else response.writeHead(204).end();
    });
    const t = setup();
    await t.actor({ name: "child", gateway: { url: gateway.url, prefix: "" }, handler: (p: unknown) => p });
    for (let i = 1; i <= 5; i++) {
      await t.transport.publish("asya-child", {
        body: encodeEnvelope(
          createEnvelope({
            id: `f-1-${i}`,
            parent_id: "f-1",
            route: ["child"],
            headers: { "x-asya-gateway-url": gateway.url },
            payload: {},
          }),
        ),
      });
    }
    await t.spy.waitFor("f-1-5", { to: "x-sink" });
    expect(gateway.received.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /mesh/f-1"]);
  });

  it("a gateway that is down, hangs or redirects costs each message at most the request timeout and loses nothing", async () => {
    const elsewhere = await fakeGateway();
    const hanging = await fakeGateway(() => undefined); // never answers
    const redirecting = await fakeGateway(
      (_r, response) =>
        void response.writeHead(307, { location: `${elsewhere.url}/api/v1/mesh/x/events` }).end(),
    );
    const down = "http://127.0.0.1:1";
    const t = setup();
    const gateway = { allowedOrigins: [hanging.url, redirecting.url, down], timeoutMs: 300 };
    await t.actor({
      name: "robust",
      gateway,
      async *handler(p: unknown) {
        yield ["FLY", "partial"];
        yield p;
      },
    });
    const started = Date.now();
    for (const [id, url] of [
      ["d-1", down],
      ["h-1", hanging.url],
      ["x-1", redirecting.url],
    ] as const) {
      await t.send({ id, route: ["robust"], headers: { "x-asya-gateway-url": url }, payload: { id } });
    }
    for (const id of ["d-1", "h-1", "x-1"]) {
      const done = await t.spy.waitFor(id, { to: "x-sink" }, { timeoutMs: 5_000 });
      expect(done.envelope?.status?.phase).toBe("succeeded");
    }
    // Pre-flight (300 ms) plus the wait for FLY reports (300 ms) on the hanging gateway, one at a time.
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(elsewhere.received).toEqual([]);
  });

  it("waits for a slow gateway that keeps taking reports: every FLY event lands before the output goes out", async () => {
    // Each report takes 150 ms; six FLY events take longer than the 300 ms request timeout.
    const gateway = await fakeGateway((_r, response) => {
      setTimeout(() => response.writeHead(204).end(), 150);
    });
    const t = setup();
    await t.actor({
      name: "slow-fly",
      gateway: { url: gateway.url, timeoutMs: 300 },
      async *handler(p: unknown) {
        for (let i = 0; i < 6; i++) yield ["FLY", i];
        yield p;
      },
    });
    await t.send({
      id: "s-1",
      route: ["slow-fly"],
      headers: { "x-asya-gateway-url": gateway.url },
      payload: {},
    });
    await t.spy.waitFor("s-1", { to: "x-sink" }, { timeoutMs: 10_000 });
    const fly = gateway.events().filter((r) => (r.body as { type?: string }).type === "fly");
    expect(fly.map((r) => (r.body as { data: unknown }).data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("keeps at most maxQueuedReports while the gateway is slow, dropping status reports first and counting drops", async () => {
    const gateway = await fakeGateway(() => undefined);
    const registry = createMetricsRegistry();
    const t = setup();
    await t.actor({
      name: "chatty",
      registry,
      gateway: { url: gateway.url, timeoutMs: 200, maxQueuedReports: 3 },
      async *handler(p: unknown) {
        for (let i = 0; i < 10; i++) yield ["FLY", i];
        yield p;
      },
    });
    await t.send({
      id: "m-1",
      route: ["chatty"],
      headers: { "x-asya-gateway-url": gateway.url },
      payload: {},
    });
    await t.spy.waitFor("m-1", { to: "x-sink" }, { timeoutMs: 5_000 });
    // 11 reports (running + 10 FLY), one in flight, 3 queued: 7 dropped.
    expect(registry.render()).toMatch(/asya_gateway_reports_dropped_total\{actor="chatty"\} 7/);
  });
});

describe("x-sink finals (GATEWAY.md section 3)", () => {
  it("reports the final status of root tasks only, and acks only after the gateway took it", async () => {
    const { createMemoryStore, createSinkActor } = await import("@asya/runtime");
    const { createMemoryTransport } = await import("@asya/transport");
    let up = false;
    const gateway = await fakeGateway((_request, response) => void response.writeHead(up ? 204 : 503).end());
    const transport = createMemoryTransport();
    const store = createMemoryStore();
    const sink = createSinkActor({
      transport,
      store,
      logger: quietLogger,
      gateway: { url: gateway.url, timeoutMs: 300 },
    });
    await sink.start();
    closers.push(async () => {
      await sink.stop({ graceMs: 100 });
      await transport.close();
    });
    const headers = { "x-asya-gateway-url": gateway.url };
    const send = (input: Parameters<typeof createEnvelope>[0]) =>
      transport.publish("asya-x-sink", { body: encodeEnvelope(createEnvelope(input)) });
    await send({
      id: "t-1",
      route: { prev: ["a"], curr: "", next: [] },
      headers,
      status: { phase: "succeeded" },
      payload: { answer: 42 },
    });
    // The gateway refuses (503): the final is sent again, and the result not stored before it is taken.
    while (gateway.events().length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.envelopes).toEqual([]);
    up = true;
    while (store.envelopes.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await send({
      id: "t-2-1",
      parent_id: "t-2",
      route: { prev: ["a"], curr: "", next: [] },
      headers,
      status: { phase: "succeeded" },
      payload: {},
    });
    await send({
      id: "t-3",
      route: { prev: ["a"], curr: "", next: [] },
      headers,
      status: { phase: "failed", reason: "PolicyExhausted", error: { type: "E", message: "boom" } },
      payload: {},
    });
    await send({
      id: "t-4",
      route: { prev: ["a"], curr: "a", next: [] },
      headers,
      status: { phase: "paused", reason: "PreFlightPaused" },
      payload: {},
    });
    while (store.envelopes.length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    const finals = gateway.events().map((r) => [r.path, r.body]);
    expect(finals.filter(([path]) => path === "/api/v1/mesh/t-1/events").at(-1)).toEqual([
      "/api/v1/mesh/t-1/events",
      { type: "status", status: "succeeded", data: { status: "succeeded", result: { answer: 42 } } },
    ]);
    expect(finals.filter(([path]) => path !== "/api/v1/mesh/t-1/events")).toEqual([
      [
        "/api/v1/mesh/t-3/events",
        {
          type: "status",
          status: "failed",
          data: { status: "failed", error: { type: "E", message: "boom" } },
        },
      ],
    ]);
  });
});

describe("paused outputs (GATEWAY.md section 5)", () => {
  it("an output carrying x-asya-pause is reported paused with its metadata and not routed; the input is acked", async () => {
    const gateway = await fakeGateway();
    const t = setup();
    const pause = { prompt: "Approve?", fields: [{ name: "ok", type: "boolean" }] };
    await t.actor({
      name: "pauser",
      gateway: { url: gateway.url },
      async *handler(p: unknown) {
        yield ["SET", '.headers["x-asya-pause"]', pause];
        yield p;
      },
    });
    await t.send({
      id: "pz-1",
      route: ["pauser", "next"],
      headers: { "x-asya-gateway-url": gateway.url },
      payload: { doc: 1 },
    });
    const deadline = Date.now() + 3_000;
    while (gateway.events().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(gateway.events().map((r) => r.body)).toEqual([
      expect.objectContaining({ type: "status", status: "running" }),
      { type: "status", status: "paused", data: { actor: "pauser", pause } },
    ]);
    expect(t.spy.history("pz-1").filter((r) => r.to === "next" || r.to === "x-sink")).toEqual([]);
    expect(await t.transport.depth("asya-pauser")).toBe(0);
  });
});
