import {
  createMemoryTransport,
  type OutgoingMessage,
  type PublishOptions,
  publishAll,
  type Transport,
  TransportError,
} from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";

const utf8 = (s: string) => new TextEncoder().encode(s);
const messages = (n: number): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({ body: utf8(`m${i}`) }));

const memory = createMemoryTransport();
afterEach(async () => {
  for (const queue of memory.broker.queueNames()) await drain(queue);
});
async function drain(queue: string): Promise<string[]> {
  const got: string[] = [];
  const sub = await memory.consume(
    queue,
    (m) => {
      got.push(new TextDecoder().decode(m.body));
      return { kind: "ack" };
    },
    { concurrency: 64 },
  );
  while ((await memory.depth(queue)) > 0) await new Promise((r) => setTimeout(r, 1));
  await sub.stop();
  return got;
}

/** A transport without publishBatch that records concurrency and can fail on a given body. */
function singlePublisher(failOn?: string) {
  let inFlight = 0;
  const stats = { calls: 0, maxInFlight: 0 };
  const transport: Transport = {
    name: "single",
    capabilities: { ...memory.capabilities, batchPublish: false },
    consume: (q, h, o) => memory.consume(q, h, o),
    isReady: () => true,
    close: async () => {},
    async publish(queue: string, message: OutgoingMessage, options?: PublishOptions) {
      stats.calls++;
      stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (new TextDecoder().decode(message.body) === failOn) {
        throw new TransportError("refused", { code: "UNROUTABLE", retryable: false, transport: "single" });
      }
      await memory.publish(queue, message, options);
    },
  };
  return { transport, stats };
}

describe("publishAll", () => {
  it("uses publishBatch in chunks of batchSize when the transport has it", async () => {
    const sizes: number[] = [];
    const transport: Transport = {
      ...memory,
      publishBatch: async (queue, batch, options) => {
        sizes.push(batch.length);
        await memory.publishBatch(queue, batch, options);
      },
    };
    await publishAll(transport, "batched", messages(250), { batchSize: 100, concurrency: 2 });
    expect(sizes).toEqual([100, 100, 50]);
    expect((await drain("batched")).sort()).toEqual(
      messages(250)
        .map((m) => new TextDecoder().decode(m.body))
        .sort(),
    );
  });

  it("falls back to publish, sequential by default", async () => {
    const { transport, stats } = singlePublisher();
    await publishAll(transport, "seq", messages(20));
    expect(stats).toEqual({ calls: 20, maxInFlight: 1 });
    expect(await drain("seq")).toHaveLength(20);
  });

  it("keeps at most `concurrency` publishes in flight", async () => {
    const { transport, stats } = singlePublisher();
    await publishAll(transport, "conc", messages(50), { concurrency: 8 });
    expect(stats.calls).toBe(50);
    expect(stats.maxInFlight).toBe(8);
  });

  it("accepts async iterables", async () => {
    async function* generate() {
      for (let i = 0; i < 5; i++) yield { body: utf8(`a${i}`) };
    }
    await publishAll(memory, "async", generate());
    expect((await drain("async")).sort()).toEqual(["a0", "a1", "a2", "a3", "a4"]);
  });

  it("stops issuing after the first failure and rejects with it", async () => {
    const { transport, stats } = singlePublisher("m5");
    const error = await publishAll(transport, "fail", messages(100), { concurrency: 2 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "UNROUTABLE" });
    expect(stats.calls).toBeLessThanOrEqual(8);
  });

  it("rejects invalid options with INVALID_ARGUMENT", async () => {
    await expect(publishAll(memory, "x", messages(1), { concurrency: 0 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(publishAll(memory, "x", messages(1), { batchSize: 1.5 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });

  it("passes delayMs and signal through", async () => {
    await expect(publishAll(memory, "x", messages(3), { signal: AbortSignal.abort() })).rejects.toMatchObject(
      {
        code: "ABORTED",
      },
    );
    const own = createMemoryTransport();
    await publishAll(own, "delayed", messages(2), { delayMs: 60_000 });
    expect(await own.depth("delayed")).toBe(2);
    await own.close();
  });
});
