import { randomBytes } from "node:crypto";
import {
  DEAD_LETTER_REASON_ATTRIBUTE,
  type ReceivedMessage,
  type Transport,
  TransportError,
} from "@asya/transport";
import type { Message, PubSub } from "@google-cloud/pubsub";
import { afterEach, describe, expect, it } from "vitest";
import { canDefer } from "../src/internal/lease-control.js";
import { createRawClient, createTestTransport, PROJECT_ID, rawPullNow, waitUntil } from "./helpers.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const open: Array<Transport | PubSub> = [];

function track<T extends Transport | PubSub>(value: T): T {
  open.push(value);
  return value;
}

function uniqueQueue(): string {
  return `asya-ps-${randomBytes(6).toString("hex")}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Pulls messages from `subscription` with the raw SDK until `count` arrived (acks them). */
async function rawReceive(client: PubSub, subscription: string, count: number): Promise<Message[]> {
  const received: Message[] = [];
  const sub = client.subscription(subscription);
  sub.on("message", (message: Message) => {
    received.push(message);
    message.ack();
  });
  try {
    await waitUntil(() => received.length >= count, 15_000, `${count} raw messages on ${subscription}`);
  } finally {
    await sub.close();
  }
  return received;
}

afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((value) => value.close()));
});

describe("Pub/Sub transport on the emulator", () => {
  it("counts redeliveries with Pub/Sub's deliveryAttempt when a dead-letter policy exists", async () => {
    const transport = track(createTestTransport({ maxDeliveryAttempts: 5 }));
    const queue = uniqueQueue();
    await transport.ensureQueue!(queue);
    const raw = track(createRawClient());
    const [metadata] = await raw.subscription(queue).getMetadata();
    expect(metadata.deadLetterPolicy?.deadLetterTopic).toBe(`projects/${PROJECT_ID}/topics/${queue}-dlq`);
    const seen: ReceivedMessage[] = [];
    await transport.consume(queue, (message) => {
      seen.push(message);
      return seen.length < 3 ? { kind: "retry" } : { kind: "ack" };
    });
    await transport.publish(queue, { body: encoder.encode("nack-me") });
    await waitUntil(() => seen.length >= 3, 15_000, "3 deliveries");
    expect(seen.map((m) => m.deliveryCount)).toEqual([1, 2, 3]);
    expect(new Set(seen.map((m) => m.id)).size).toBe(1);
  });

  it("counts redeliveries itself when the subscription has no dead-letter policy", async () => {
    const transport = track(createTestTransport());
    const queue = uniqueQueue();
    const seen: ReceivedMessage[] = [];
    await transport.consume(queue, (message) => {
      seen.push(message);
      return seen.length < 2 ? { kind: "retry" } : { kind: "ack" };
    });
    await transport.publish(queue, { body: new Uint8Array(0) });
    await waitUntil(() => seen.length >= 2, 15_000, "2 deliveries");
    expect(seen.map((m) => m.deliveryCount)).toEqual([1, 2]);
    expect(seen[0]!.body).toEqual(new Uint8Array(0));
    expect(seen[0]!.attributes).toEqual({});
  });

  it("moves a message to <queue>-dlq through the dead-letter policy after maxDeliveryAttempts", async () => {
    const transport = track(createTestTransport({ maxDeliveryAttempts: 5 }));
    const queue = uniqueQueue();
    await transport.ensureQueue!(queue);
    let deliveries = 0;
    await transport.consume(queue, () => {
      deliveries += 1;
      return { kind: "retry" };
    });
    await transport.publish(queue, { body: encoder.encode("poison"), attributes: { k: "v" } });
    const dead: ReceivedMessage[] = [];
    await transport.consume(`${queue}-dlq`, (message) => {
      dead.push(message);
      return { kind: "ack" };
    });
    await waitUntil(() => dead.length >= 1, 30_000, "dead-lettered message");
    expect(deliveries).toBe(5);
    expect(decoder.decode(dead[0]!.body)).toBe("poison");
    expect(dead[0]!.attributes).toMatchObject({ k: "v" });
  });

  it("extends the lease: a handler running longer than the ack deadline is not redelivered", async () => {
    const holder = track(createTestTransport({ ackDeadlineSec: 10 }));
    const other = track(createTestTransport({ ackDeadlineSec: 10 }));
    const queue = uniqueQueue();
    await holder.ensureQueue!(queue);
    const consumers: string[] = [];
    let acked = false;
    await holder.consume(queue, async (_message, { signal }) => {
      consumers.push("holder");
      await sleep(13_000);
      acked = !signal.aborted;
      return { kind: "ack" };
    });
    await holder.publish(queue, { body: encoder.encode("slow") });
    await waitUntil(() => consumers.length === 1, 10_000, "first delivery");
    await other.consume(queue, () => {
      consumers.push("other");
      return { kind: "ack" };
    });
    await waitUntil(() => acked, 20_000, "the slow handler finished");
    await sleep(1_000);
    expect(consumers).toEqual(["holder"]);
  }, 60_000);

  it("stops extending at maxProcessingMs: aborts the handler, ignores its result and redelivers", async () => {
    const transport = track(createTestTransport());
    const queue = uniqueQueue();
    const deliveries: Array<{ at: number; abortedAt?: number }> = [];
    await transport.consume(
      queue,
      async (_message, { signal }) => {
        const delivery: { at: number; abortedAt?: number } = { at: Date.now() };
        deliveries.push(delivery);
        if (deliveries.length > 1) return { kind: "ack" };
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        delivery.abortedAt = Date.now();
        return { kind: "ack" }; // ignored: the lease is gone and the delivery was handed back
      },
      { maxProcessingMs: 1_500 },
    );
    await transport.publish(queue, { body: encoder.encode("too-slow") });
    await waitUntil(() => deliveries.length >= 2, 15_000, "redelivery after the lease limit");
    const [first, second] = deliveries;
    expect(first!.abortedAt! - first!.at).toBeGreaterThanOrEqual(1_400);
    expect(second!.at).toBeGreaterThanOrEqual(first!.abortedAt!);
    await sleep(500);
    expect(deliveries).toHaveLength(2);
  });

  it("defers retry with delay (modifyAckDeadline) and publish with delay, never early", async () => {
    const transport = track(createTestTransport());
    const queue = uniqueQueue();
    const times: number[] = [];
    const texts: string[] = [];
    await transport.consume(
      queue,
      (message) => {
        times.push(Date.now());
        texts.push(decoder.decode(message.body));
        return texts.length === 1 ? { kind: "retry", delayMs: 2_000 } : { kind: "ack" };
      },
      { concurrency: 2 },
    );
    const publishedAt = Date.now();
    await transport.publish(queue, { body: encoder.encode("first") });
    await waitUntil(() => times.length >= 2, 15_000, "redelivery after the retry delay");
    expect(texts).toEqual(["first", "first"]);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_900);

    const delayedAt = Date.now();
    await transport.publish(queue, { body: encoder.encode("delayed") }, { delayMs: 1_500 });
    await waitUntil(() => times.length >= 3, 15_000, "the delayed publish");
    expect(texts[2]).toBe("delayed");
    expect(times[2]! - delayedAt).toBeGreaterThanOrEqual(1_450);
    expect(publishedAt).toBeLessThan(delayedAt);
  });

  it("cuts a retry delay above 600 s to the longest ack deadline, publishing no copy", async () => {
    const transport = track(createTestTransport());
    const queue = uniqueQueue();
    await transport.ensureQueue!(queue);
    let delivered = 0;
    const subscription = await transport.consume(queue, () => {
      delivered += 1;
      return { kind: "retry", delayMs: 3_600_000 };
    });
    await transport.publish(queue, { body: encoder.encode("much-later"), attributes: { keep: "me" } });
    await waitUntil(() => delivered === 1, 10_000, "first delivery");
    await subscription.stop();
    // The original is held under a 600 s ack deadline and no copy was re-published: nothing to pull.
    expect(await rawPullNow(queue)).toBe(0);
    // The same pull does see a message that is deliverable (so the 0 above means something).
    await transport.publish(queue, { body: encoder.encode("now") });
    let pulled = 0;
    for (let i = 0; i < 50 && pulled === 0; i++) pulled = await rawPullNow(queue);
    expect(pulled).toBe(1);
  });

  it("refuses publish delays above 600 s with INVALID_ARGUMENT", async () => {
    const transport = track(createTestTransport());
    const queue = uniqueQueue();
    await expect(
      transport.publish(queue, { body: encoder.encode("x") }, { delayMs: 600_001 }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT", field: "delayMs" });
  });

  it("dead-letters to the subscription's own dead-letter topic when it has one", async () => {
    const raw = track(createRawClient());
    const queue = uniqueQueue();
    const custom = `${queue}-custom-dead`;
    const [deadTopic] = await raw.createTopic(custom);
    await deadTopic.createSubscription(custom);
    const [topic] = await raw.createTopic(queue);
    await topic.createSubscription(queue, {
      deadLetterPolicy: { deadLetterTopic: deadTopic.name, maxDeliveryAttempts: 10 },
    });
    const transport = track(createTestTransport({ autoCreate: false }));
    await transport.consume(queue, () => ({ kind: "deadLetter", reason: "bad input" }));
    await transport.publish(queue, { body: encoder.encode("to-custom"), attributes: { a: "1" } });
    const [dead] = await rawReceive(raw, custom, 1);
    expect(dead!.data.toString()).toBe("to-custom");
    expect(dead!.attributes).toMatchObject({ a: "1", [DEAD_LETTER_REASON_ATTRIBUTE]: "bad input" });
  });

  it("acks with confirmation on an exactly-once subscription", async () => {
    const raw = track(createRawClient());
    const queue = uniqueQueue();
    const [topic] = await raw.createTopic(queue);
    await topic.createSubscription(queue, { enableExactlyOnceDelivery: true });
    const transport = track(createTestTransport({ autoCreate: false }));
    const seen: ReceivedMessage[] = [];
    const errors: unknown[] = [];
    const subscription = await transport.consume(
      queue,
      (message) => {
        seen.push(message);
        return seen.length === 1 ? { kind: "retry" } : { kind: "ack" };
      },
      { onError: (error) => errors.push(error) },
    );
    await transport.publish(queue, { body: encoder.encode("once") });
    await waitUntil(() => seen.length >= 2, 15_000, "redelivery after nack");
    await subscription.stop();
    expect(seen.map((m) => m.deliveryCount)).toEqual([1, 2]);
    expect(errors).toEqual([]);
    // The ack was confirmed before stop() resolved: nothing comes back to a new consumer.
    const late: ReceivedMessage[] = [];
    await transport.consume(queue, (message) => {
      late.push(message);
      return { kind: "ack" };
    });
    await transport.publish(queue, { body: encoder.encode("marker") });
    await waitUntil(() => late.length >= 1, 15_000, "marker");
    await sleep(1_000);
    expect(late.map((m) => decoder.decode(m.body))).toEqual(["marker"]);
  });

  it("rejects publish and consume on missing resources with NOT_FOUND when autoCreate is off", async () => {
    const transport = track(createTestTransport({ autoCreate: false }));
    const queue = uniqueQueue();
    const publishError = await transport
      .publish(queue, { body: encoder.encode("x") })
      .catch((e: unknown) => e);
    expect(publishError).toBeInstanceOf(TransportError);
    expect(publishError).toMatchObject({ code: "NOT_FOUND", retryable: false, transport: "pubsub" });
    const consumeError = await transport.consume(queue, () => ({ kind: "ack" })).catch((e: unknown) => e);
    expect(consumeError).toMatchObject({ code: "NOT_FOUND", retryable: false });
    expect(transport.isReady()).toBe(true);
  });

  it("publishes with ordering keys and delivers each key in order", async () => {
    const transport = track(
      createTestTransport({ orderingKey: (_queue, message) => message.attributes?.key }),
    );
    const queue = uniqueQueue();
    await transport.ensureQueue!(queue);
    const raw = track(createRawClient());
    const [metadata] = await raw.subscription(queue).getMetadata();
    expect(metadata.enableMessageOrdering).toBe(true);
    const bodies = Array.from({ length: 15 }, (_, i) => `o-${i}`);
    await Promise.all(
      bodies.map((body) =>
        transport.publish(queue, { body: encoder.encode(body), attributes: { key: "k1" } }),
      ),
    );
    const seen: string[] = [];
    await transport.consume(
      queue,
      (message) => {
        seen.push(decoder.decode(message.body));
        return { kind: "ack" };
      },
      { concurrency: 1 },
    );
    await waitUntil(() => seen.length >= bodies.length, 15_000, "ordered messages");
    expect(seen).toEqual(bodies);
  });
});

describe("the SDK internals a delayed retry relies on (pinned to @google-cloud/pubsub 5.3.x)", () => {
  it("an open subscription of the installed SDK still has the inventory and modAck queue we use", async () => {
    // `deferDelivery` reaches into private fields (no public "come back in N s" call); it falls back
    // to an immediate nack when they change. This test turns that silent fallback into a failure.
    const client = track(createRawClient());
    const name = uniqueQueue();
    const [topic] = await client.createTopic(name);
    await topic.createSubscription(name);
    const subscription = client.subscription(name);
    subscription.on("message", (message: Message) => message.ack());
    try {
      expect(canDefer(subscription)).toBe(true);
    } finally {
      await subscription.close();
      await client.subscription(name).delete();
      await topic.delete();
    }
  });
});
