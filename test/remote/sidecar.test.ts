import { join } from "node:path";
import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { createActor, silentLogger } from "@asya/runtime";
import { createSocketHandler, type SocketHandler } from "@asya/runtime/remote";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport } from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";
import { pythonRuntime } from "./python-runtime.js";

// Our runtime as the sidecar (SPEC section 9): an actor whose handler is a Python function behind a
// Unix socket, served by a small runtime written for the tests from the spec (one request at a time).

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: {
    concurrency?: number;
    actorTimeout?: string;
    env?: Record<string, string>;
    rules?: boolean;
  } = {},
) {
  const runtime = pythonRuntime(options.env);
  await runtime.start();
  const transport = createMemoryTransport();
  const spy = createEnvelopeSpy(transport);
  const handler = createSocketHandler({ socketPath: runtime.socketPath });
  const actor = createActor({
    name: "py",
    transport,
    logger: silentLogger,
    handler,
    concurrency: options.concurrency ?? 4,
    resiliency: {
      ...(options.actorTimeout === undefined ? {} : { actorTimeout: options.actorTimeout }),
      ...(options.rules === true
        ? {
            policies: { service: { maxAttempts: 2, initialDelay: "10ms" } },
            rules: [{ errors: ["py_handlers.ServiceError"], policy: "service" }],
          }
        : {}),
    },
  });
  await actor.start();
  cleanups.push(async () => {
    await actor.stop();
    await transport.close();
    await runtime.stop();
  });
  const send = (id: string, payload: unknown, route: string[] = ["py", "next"]) =>
    transport.publish(queueName(route[0] as string), {
      body: encodeEnvelope(createEnvelope({ id, route, payload })),
    });
  return { runtime, transport, spy, send, handler: handler as SocketHandler };
}

describe("a Python handler behind the socket (ASYA_HANDLER_SOCKET)", () => {
  it("plain frames are routed on; None (204) ends the envelope succeeded at x-sink", async () => {
    const { spy, send } = await setup();
    await send("p1", { case: "plain", n: 21 });
    const routed = await spy.waitFor("p1", { to: "next" });
    expect(routed.envelope?.payload).toEqual({ case: "plain", n: 21, doubled: 42 });
    expect(routed.envelope?.route).toEqual({ prev: ["py"], curr: "next", next: [] });
    await send("p2", { case: "none" });
    const done = await spy.waitFor("p2", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "succeeded", reason: "Completed" });
  });

  it("a generator's SSE frames are outputs in order: frame 0 keeps the id, frame 1 gets <id>-1; SET route and headers apply", async () => {
    const { spy, send } = await setup();
    await send("g1", { case: "stream" });
    const first = await spy.waitFor("g1", { to: "next" });
    const second = await spy.waitFor("g1-1", { to: "after" });
    expect(first.envelope?.payload).toEqual({ part: 1 });
    expect(first.envelope?.headers?.["trace-note"]).toBe("from-python");
    expect(second.envelope).toMatchObject({
      parent_id: "g1",
      payload: { part: 2 },
      route: { prev: ["py"], curr: "after", next: ["next"] },
    });
  });

  it("a raised error keeps its Python type and mro; resiliency rules match the mro", async () => {
    const { spy, send } = await setup({ rules: true });
    await send("e1", { case: "raise" });
    const failed = await spy.waitFor("e1", { to: "x-sink", phase: "failed" });
    expect(failed.envelope?.status).toMatchObject({
      reason: "PolicyExhausted",
      attempt: 2,
      error: {
        type: "py_handlers.RateLimit",
        mro: ["py_handlers.ServiceError", "Exception"],
        message: "slow down",
      },
    });
    expect(failed.envelope?.status?.error?.traceback).toMatch(/Traceback/);
    await send("e2", { case: "zero" });
    const zero = await spy.waitFor("e2", { to: "x-sink", phase: "failed" });
    expect(zero.envelope?.status?.error).toMatchObject({
      type: "ZeroDivisionError",
      mro: ["ArithmeticError", "Exception"],
    });
  });

  it("frames streamed before an SSE error are dispatched; the error then goes through the policies", async () => {
    const { spy, send } = await setup();
    await send("f1", { case: "stream-fail" });
    const routed = await spy.waitFor("f1", { to: "next" });
    expect(routed.envelope?.payload).toEqual({ part: 1 });
    const failed = await spy.waitFor("f1", { to: "x-sink", phase: "failed" });
    expect(failed.envelope?.status?.error).toMatchObject({ type: "ValueError", message: "broke mid-stream" });
  });

  it("a call over the actor's timeout is aborted as TimeoutError", async () => {
    const { spy, send } = await setup({ actorTimeout: "300ms" });
    await send("t1", { case: "slow", seconds: 3 });
    const failed = await spy.waitFor("t1", { to: "x-sink", phase: "failed" }, { timeoutMs: 5_000 });
    expect(failed.envelope?.status).toMatchObject({
      reason: "RuntimeError",
      error: { type: "TimeoutError" },
    });
  });

  it("a runtime that crashes mid-call leaves the message for redelivery; after its restart the call succeeds", async () => {
    const { runtime, spy, send } = await setup();
    const marker = join(runtime.dir, "crashed-once");
    await send("c1", { case: "crash", marker });
    await runtime.exited();
    expect(spy.history("c1").filter((r) => r.to === "x-sink")).toEqual([]);
    await runtime.start();
    const done = await spy.waitFor("c1", { to: "next" }, { timeoutMs: 10_000 });
    expect(done.envelope?.payload).toEqual({ survived: true });
  });

  it("a malformed answer (a frame without a route) fails the envelope with RemoteProtocolError", async () => {
    const { spy, send } = await setup({ env: { ASYA_TEST_MALFORMED: "1" } });
    await send("m1", { case: "plain", n: 1 });
    const failed = await spy.waitFor("m1", { to: "x-sink", phase: "failed" });
    expect(failed.envelope?.status?.error).toMatchObject({ type: "RemoteProtocolError" });
  });

  it("several runtime processes behind one actor share the calls (the least busy socket is called)", async () => {
    const second = pythonRuntime();
    await second.start();
    const first = pythonRuntime();
    await first.start();
    const transport = createMemoryTransport();
    const spy = createEnvelopeSpy(transport);
    const actor = createActor({
      name: "py",
      transport,
      logger: silentLogger,
      concurrency: 8,
      handler: createSocketHandler({ socketPath: [first.socketPath, second.socketPath] }),
    });
    await actor.start();
    cleanups.push(async () => {
      await actor.stop();
      await transport.close();
      await first.stop();
      await second.stop();
    });
    const ids = Array.from({ length: 16 }, (_, i) => `s${i}`);
    for (const id of ids) {
      await transport.publish(queueName("py"), {
        body: encodeEnvelope(createEnvelope({ id, route: ["py", "next"], payload: { case: "pid" } })),
      });
    }
    const pids = new Set<unknown>();
    for (const id of ids)
      pids.add(
        ((await spy.waitFor(id, { to: "next" })).envelope?.payload as { pid?: number } | undefined)?.pid,
      );
    expect(pids.size).toBe(2);
  });

  it("16 calls in flight against a runtime that serves one at a time: busy connects are waited out, all succeed", async () => {
    const { spy, send } = await setup({ concurrency: 16 });
    const ids = Array.from({ length: 40 }, (_, i) => `b${i}`);
    await Promise.all(ids.map((id, i) => send(id, { case: "slow", seconds: 0.01, i })));
    for (const id of ids) await spy.waitFor(id, { to: "next" }, { timeoutMs: 20_000 });
    expect(spy.records().filter((r) => r.to === "x-sink")).toEqual([]);
  });
});
