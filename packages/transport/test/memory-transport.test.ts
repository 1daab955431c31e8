import {
  createMemoryBroker,
  createMemoryTransport,
  type Disposition,
  type ReceivedMessage,
  TransportError,
} from "@asya/transport";
import { eventually, Recorder } from "@asya/transport/testing";
import { afterEach, describe, expect, it } from "vitest";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const open: { close(): Promise<void> }[] = [];
function transport(options: Parameters<typeof createMemoryTransport>[0] = {}) {
  const t = createMemoryTransport(options);
  open.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe("createMemoryTransport options", () => {
  it.each([[{ visibilityTimeoutMs: 0 }], [{ maxMessageBytes: 1.5 }], [{ broker: {} }], [{ unknown: true }]])(
    "rejects invalid options %j with INVALID_ARGUMENT",
    (options) => {
      expect(() => createMemoryTransport(options as never)).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT", retryable: false }),
      );
    },
  );

  it("declares its capabilities, honouring maxMessageBytes", async () => {
    const t = transport({ maxMessageBytes: 8 });
    expect(t.capabilities).toMatchObject({
      maxMessageBytes: 8,
      keepAlive: true,
    });
    await t.publish("q", { body: new Uint8Array(8) });
    expect((await rejection(t.publish("q", { body: new Uint8Array(9) }))).code).toBe("TOO_LARGE");
  });
});

describe("memory transport", () => {
  it("rejects invalid publish and consume arguments with INVALID_ARGUMENT", async () => {
    const t = transport();
    const body = utf8("x");
    const cases: Promise<unknown>[] = [
      t.publish("q", { body }, { delayMs: -1 }),
      t.publish("q", { body }, { delayMs: Number.NaN }),
      t.publish("q", { body: "text" as never }),
      t.publish("q", { body, attributes: { n: 1 as never } }),
      t.publish("", { body }),
      t.consume("q", () => ({ kind: "ack" }), { concurrency: 0 }),
    ];
    for (const c of cases) expect((await rejection(c)).code).toBe("INVALID_ARGUMENT");
    expect(await t.depth("q")).toBe(0);
  });

  it("redelivers after the visibility timeout once maxProcessingMs has passed, ignoring the late ack", async () => {
    const broker = createMemoryBroker();
    const slow = transport({ broker, visibilityTimeoutMs: 100 });
    const other = transport({ broker, visibilityTimeoutMs: 100 });
    const recorder = new Recorder();
    let abortReason: unknown;
    await slow.consume(
      "q",
      recorder.handler("slow", async ({ context }) => {
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
        abortReason = context.signal.reason;
        return { kind: "ack" }; // too late: must be ignored
      }),
      { maxProcessingMs: 50 },
    );
    await slow.publish("q", { body: utf8("job") });
    await recorder.waitFor(1, 1000);
    await other.consume("q", recorder.handler("other"));
    const started = performance.now();
    const [first, second] = await recorder.waitFor(2, 2000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    expect(second!.consumer).toBe("other");
    expect(second!.message.deliveryCount).toBe(2);
    expect(second!.message.id).toBe(first!.message.id);
    expect(abortReason).toMatchObject({ code: "ABORTED" });
    await eventually(
      async () => (await other.depth("q")) === 0,
      1000,
      () => "depth did not reach 0",
    );
    await sleep(250);
    expect(recorder.deliveries).toHaveLength(2);
  });

  it("keeps a running handler's delivery invisible without maxProcessingMs", async () => {
    const broker = createMemoryBroker();
    const holder = transport({ broker, visibilityTimeoutMs: 30 });
    const other = transport({ broker, visibilityTimeoutMs: 30 });
    const recorder = new Recorder();
    await holder.consume(
      "q",
      recorder.handler("holder", async () => {
        await sleep(200);
        return { kind: "ack" };
      }),
    );
    await other.consume("q", recorder.handler("other"));
    await holder.publish("q", { body: utf8("long") });
    await sleep(350);
    expect(recorder.deliveries.map((d) => d.consumer)).toHaveLength(1);
    expect(await holder.depth("q")).toBe(0);
  });

  it("close() aborts handlers, requeues at once and does not wait for handlers that ignore it", async () => {
    const broker = createMemoryBroker();
    const dying = transport({ broker });
    const survivor = transport({ broker });
    const recorder = new Recorder();
    let release: () => void = () => {};
    await dying.consume(
      "q",
      recorder.handler(
        "dying",
        () => new Promise<Disposition>((resolve) => (release = () => resolve({ kind: "ack" }))),
      ),
    );
    await dying.publish("q", { body: utf8("orphan") });
    await recorder.waitFor(1, 1000);
    await survivor.consume("q", recorder.handler("survivor"));
    const closedAt = performance.now();
    await dying.close();
    expect(dying.isReady()).toBe(false);
    expect(survivor.isReady()).toBe(true);
    expect(recorder.deliveries[0]!.context.signal.aborted).toBe(true);
    const [, again] = await recorder.waitFor(2, 1000);
    expect(again!.at - closedAt).toBeLessThan(100);
    expect(again!.message.deliveryCount).toBe(2);
    release(); // the dead handler's ack is ignored
    await sleep(20);
    expect(recorder.deliveries).toHaveLength(2);
  });

  it("close() during a stop() that waits for a hung handler aborts it and ends the drain", async () => {
    const broker = createMemoryBroker();
    const a = transport({ broker });
    const b = transport({ broker });
    const recorder = new Recorder();
    const subscription = await a.consume(
      "q",
      recorder.handler("a", () => new Promise<Disposition>(() => {})),
    );
    await a.publish("q", { body: utf8("hung") });
    await recorder.waitFor(1, 1000);
    let drained = false;
    const stopping = subscription.stop().then(() => {
      drained = true;
    });
    await sleep(20);
    expect(drained).toBe(false);
    await b.consume("q", recorder.handler("b"));
    await a.close();
    await stopping;
    expect(recorder.deliveries[0]!.context.signal.aborted).toBe(true);
    const [, again] = await recorder.waitFor(2, 1000);
    expect(again!.consumer).toBe("b");
    await subscription.stop(); // still idempotent after close
    const late = await a.consume("q", () => ({ kind: "ack" })).catch((e: unknown) => e);
    expect(late).toMatchObject({ code: "CLOSED" });
  });

  it("applies the disposition of handlers drained by stop()", async () => {
    const broker = createMemoryBroker();
    const a = transport({ broker });
    const recorder = new Recorder();
    const subscription = await a.consume(
      "q",
      recorder.handler("a", async () => {
        await sleep(50);
        return { kind: "retry" };
      }),
    );
    await a.publish("q", { body: utf8("again") });
    await recorder.waitFor(1, 1000);
    await subscription.stop();
    expect(await a.depth("q")).toBe(1);
    await transport({ broker }).consume("q", recorder.handler("b"));
    const [, second] = await recorder.waitFor(2, 1000);
    expect(second!.consumer).toBe("b");
  });

  it("isolates transports that do not share a broker", async () => {
    const a = transport();
    const b = transport();
    await a.publish("q", { body: utf8("mine") });
    expect(await a.depth("q")).toBe(1);
    expect(await b.depth("q")).toBe(0);
    expect(a.broker.queueNames()).toEqual(["q"]);
  });

  it("counts ready, delayed and in-flight messages in depth", async () => {
    const t = transport();
    await t.ensureQueue("q");
    expect(t.broker.queueNames().sort()).toEqual(["q", "q-dlq"]);
    await t.publish("q", { body: utf8("ready") });
    await t.publish("q", { body: utf8("delayed") }, { delayMs: 60_000 });
    let release: () => void = () => {};
    await t.consume(
      "q",
      () => new Promise<Disposition>((resolve) => (release = () => resolve({ kind: "ack" }))),
    );
    await sleep(10);
    expect(await t.depth("q")).toBe(2); // one in flight, one delayed
    release();
    await eventually(
      async () => (await t.depth("q")) === 1,
      1000,
      () => "ack did not reduce depth",
    );
  });

  it("delivers delayed messages in due order (one shared timer heap)", async () => {
    const t = transport();
    const recorder = new Recorder();
    await t.consume("q", recorder.handler(), { concurrency: 8 });
    for (const [body, delayMs] of [
      ["d120", 120],
      ["d40", 40],
      ["d80", 80],
      ["d0", 0],
      ["d40b", 40],
    ] as const) {
      await t.publish("q", { body: utf8(body) }, { delayMs });
    }
    await recorder.waitFor(5, 2000);
    expect(recorder.texts()).toEqual(["d0", "d40", "d40b", "d80", "d120"]);
  });

  it("hands each delivery its own body copy", async () => {
    const t = transport();
    const recorder = new Recorder();
    await t.consume(
      "q",
      recorder.handler("c", ({ message }, i) => {
        if (i > 0) return { kind: "ack" };
        message.body.fill(0x3f);
        return { kind: "retry" };
      }),
    );
    await t.publish("q", { body: utf8("pristine"), attributes: { k: "v" } });
    const [first, second] = await recorder.waitFor(2, 1000);
    expect(text(first!.message.body)).toBe("????????");
    expect(text(second!.message.body)).toBe("pristine");
    expect(Object.isFrozen(second!.message.attributes)).toBe(true);
  });

  it("round-trips large (off-heap) bodies", async () => {
    const t = transport();
    const body = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    const received: ReceivedMessage[] = [];
    await t.consume("q", (m) => {
      received.push(m);
      return { kind: "ack" };
    });
    await t.publish("q", { body: body.subarray(1000) });
    await eventually(
      () => received.length === 1,
      1000,
      () => "not delivered",
    );
    expect(Buffer.from(received[0]!.body).equals(Buffer.from(body.subarray(1000)))).toBe(true);
  });

  it.each([
    [{ kind: "nope" }],
    [{ kind: "retry", delayMs: -1 }],
    [{ kind: "retry", delayMs: Number.POSITIVE_INFINITY }],
    [{ kind: "deadLetter" }],
    [undefined],
  ])("treats the invalid disposition %j as retry and reports INVALID_ARGUMENT", async (invalid) => {
    const t = transport();
    const errors: unknown[] = [];
    const recorder = new Recorder();
    await t.consume(
      "q",
      recorder.handler("c", (_, i) => (i === 0 ? (invalid as never) : { kind: "ack" })),
      {
        onError: (error) => {
          errors.push(error);
          throw new Error("a throwing onError must not break delivery");
        },
      },
    );
    await t.publish("q", { body: utf8("x") });
    await recorder.waitFor(2, 1000);
    expect(errors).toEqual([expect.objectContaining({ code: "INVALID_ARGUMENT" })]);
  });

  it("stops keeping the process alive once every transport on the broker is closed", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const broker = createMemoryBroker();
    const a = createMemoryTransport({ broker });
    const b = createMemoryTransport({ broker });
    await a.publish("q", { body: utf8("later") }, { delayMs: 60_000 });
    const armed = timeouts();
    await a.close();
    expect(timeouts()).toBe(armed); // b is still open: the delay timer stays referenced
    await b.close();
    expect(timeouts()).toBe(armed - 1);
    expect(broker.depth("q")).toBe(1); // the message itself is kept for later transports
  });

  it("accepts a batch whole or not at all", async () => {
    const t = transport({ maxMessageBytes: 4 });
    const error = await rejection(
      t.publishBatch("q", [{ body: utf8("ok") }, { body: utf8("too big") }, { body: utf8("ok") }]),
    );
    expect(error.code).toBe("TOO_LARGE");
    expect(await t.depth("q")).toBe(0);
    await t.publishBatch("q", [{ body: utf8("a") }, { body: utf8("b") }], { delayMs: 10 });
    expect(await t.depth("q")).toBe(2);
  });
});
