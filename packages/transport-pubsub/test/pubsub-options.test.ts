import { TransportError } from "@asya/transport";
import {
  createPubSubTransport,
  PUBSUB_MAX_MESSAGE_BYTES,
  resolvePubSubOptions,
} from "@asya/transport-pubsub";
import { describe, expect, it } from "vitest";

// No test here reaches the network: validation happens in the factory and before any RPC.
const base = { projectId: "p-1", apiEndpoint: "127.0.0.1:1" };

function invalid(options: unknown): TransportError {
  try {
    resolvePubSubOptions(options as Parameters<typeof resolvePubSubOptions>[0]);
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error("expected the options to be rejected");
}

describe("options", () => {
  it("applies defaults", () => {
    expect(resolvePubSubOptions({ projectId: "p-1" })).toMatchObject({
      autoCreate: false,
      maxMessages: 1,
      maxBytes: 100 * 1024 * 1024,
      ackDeadlineSec: 60,
      maxExtensionSec: 3600,
      maxDeliveryAttempts: undefined,
      maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES,
      publishBatchDelayMs: 5,
    });
  });

  it.each([
    [{}, "projectId"],
    [{ projectId: "" }, "projectId"],
    [{ projectId: "p", ackDeadlineSec: 9 }, "ackDeadlineSec"],
    [{ projectId: "p", ackDeadlineSec: 601 }, "ackDeadlineSec"],
    [{ projectId: "p", maxDeliveryAttempts: 4 }, "maxDeliveryAttempts"],
    [{ projectId: "p", maxDeliveryAttempts: 101 }, "maxDeliveryAttempts"],
    [{ projectId: "p", flowControl: { maxMessages: 0 } }, "flowControl.maxMessages"],
    [{ projectId: "p", maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES + 1 }, "maxMessageBytes"],
    [{ projectId: "p", client: {} }, "client"],
    [{ projectId: "p", orderingKey: "k" }, "orderingKey"],
    [{ projectId: "p", region: "eu" }, "options"],
  ])("rejects %j naming %s", (options, path) => {
    const error = invalid(options);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT", retryable: false });
    expect(error.message).toMatch(/^\[asya:pubsub\] invalid options: /);
    expect(error.message).toContain(path);
  });

  it("accepts a ready client by shape", () => {
    const client = { topic: () => undefined, subscription: () => undefined };
    expect(resolvePubSubOptions({ projectId: "p", client } as never).client).toBe(client);
  });
});

describe("createPubSubTransport without a broker", () => {
  it("declares its capabilities", () => {
    const transport = createPubSubTransport(base);
    expect(transport.name).toBe("pubsub");
    expect(transport.capabilities).toEqual({
      maxDelayMs: 600_000,
      deadLetter: true,
      batchPublish: true,
      maxMessageBytes: PUBSUB_MAX_MESSAGE_BYTES,
      ordering: false,
      keepAlive: true,
    });
    expect(transport.isReady()).toBe(true);
  });

  it("has no depth method (backlog lives in Cloud Monitoring)", () => {
    expect(createPubSubTransport(base).depth).toBeUndefined();
  });

  it("rejects oversized bodies with TOO_LARGE before any RPC", async () => {
    const transport = createPubSubTransport({ ...base, maxMessageBytes: 16 });
    await expect(transport.publish("asya-x", { body: new Uint8Array(17) })).rejects.toMatchObject({
      code: "TOO_LARGE",
      retryable: false,
    });
  });

  it.each([
    [{ goog_x: "1" }, "reserved"],
    [{ k: "v".repeat(1025) }, "exceeds"],
    [Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, "v"])), "more than 100"],
  ])("rejects invalid attributes %#", async (attributes, text) => {
    const transport = createPubSubTransport(base);
    const error = await transport.publish("asya-x", { body: new Uint8Array(1), attributes }).catch((e) => e);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENT", retryable: false });
    expect((error as Error).message).toContain(text);
  });

  it.each(["ab", "1abc", "goog-queue", "has space", "x".repeat(256)])(
    "rejects queue name %j",
    async (queue) => {
      const transport = createPubSubTransport(base);
      await expect(transport.publish(queue, { body: new Uint8Array(1) })).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
      await expect(transport.consume(queue, () => ({ kind: "ack" }))).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    },
  );

  it.each([{ concurrency: 0 }, { concurrency: 1.5 }, { maxProcessingMs: -1 }])(
    "rejects consume options %j with INVALID_ARGUMENT",
    async (options) => {
      const transport = createPubSubTransport(base);
      await expect(transport.consume("asya-x", () => ({ kind: "ack" }), options)).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    },
  );

  it("rejects a negative publish delay with INVALID_ARGUMENT", async () => {
    const transport = createPubSubTransport(base);
    await expect(
      transport.publish("asya-x", { body: new Uint8Array(1) }, { delayMs: -5 }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("rejects everything with CLOSED after close", async () => {
    const transport = createPubSubTransport(base);
    await transport.close();
    await transport.close();
    expect(transport.isReady()).toBe(false);
    await expect(transport.publish("asya-x", { body: new Uint8Array(1) })).rejects.toMatchObject({
      code: "CLOSED",
    });
    await expect(transport.ensureQueue!("asya-x")).rejects.toMatchObject({ code: "CLOSED" });
  });
});
