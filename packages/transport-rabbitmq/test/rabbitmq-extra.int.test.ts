import { randomBytes } from "node:crypto";
import { DEAD_LETTER_REASON_ATTRIBUTE, type ReceivedMessage } from "@asya/transport";
import { createRabbitMqTransport, delayBucketMs, delayQueueName } from "@asya/transport-rabbitmq";
import { afterAll, describe, expect, it } from "vitest";
import { deleteQueues, rabbitMqUrl, ready, testTransport } from "./helpers.js";

const created: string[] = [];
function uniqueQueue(): string {
  const queue = `asya-rmq-${randomBytes(5).toString("hex")}`;
  created.push(queue);
  return queue;
}
afterAll(() => deleteQueues(created));

async function rawChannel() {
  const amqp = await import("amqplib");
  const connection = await amqp.connect(rabbitMqUrl());
  const channel = await connection.createChannel();
  channel.on("error", () => undefined); // expected channel errors are asserted on the rejected promise
  return { connection, channel };
}

function collector() {
  const messages: ReceivedMessage[] = [];
  return {
    messages,
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedMessage[]> {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${messages.length}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return messages;
    },
  };
}

describe("topology", () => {
  it("declares a durable quorum queue with a DLX to <queue>-dlq; conflicting args are PRECONDITION_FAILED", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      await transport.ensureQueue(queue);
      const { connection, channel } = await rawChannel();
      try {
        expect((await channel.checkQueue(`${queue}-dlq`)).queue).toBe(`${queue}-dlq`);
        // Re-declaring with different arguments fails: proves the arguments the transport chose.
        const error = await channel.assertQueue(queue, { durable: true }).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 406 });
      } finally {
        await connection.close().catch(() => undefined);
      }
      // Our own arguments are stable: a second transport declares the same queue without conflict.
      const other = await ready(testTransport());
      await other.ensureQueue(queue);
      await other.close();
      const classic = await ready(testTransport({ queueType: "classic" }));
      await expect(classic.ensureQueue(queue)).rejects.toMatchObject({
        code: "PRECONDITION_FAILED",
        retryable: false,
      });
      await classic.close();
    } finally {
      await transport.close();
    }
  });

  it("delays through a per-bucket delay queue (queue-level TTL) that dead-letters back", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      await transport.publish(queue, { body: new TextEncoder().encode("slow") }, { delayMs: 1_200 });
      await transport.publish(queue, { body: new TextEncoder().encode("fast") }, { delayMs: 300 });
      const got = collector();
      const start = performance.now();
      const at: number[] = [];
      await transport.consume(queue, (message) => {
        got.messages.push(message);
        at.push(performance.now() - start);
        return { kind: "ack" };
      });
      await got.waitFor(2);
      // A shorter delay published later is not stuck behind a longer one (no head-of-line blocking).
      expect(got.messages.map((m) => new TextDecoder().decode(m.body))).toEqual(["fast", "slow"]);
      expect(at[0]).toBeLessThan(1_000);
      const { connection, channel } = await rawChannel();
      try {
        const bucket = delayQueueName(queue, delayBucketMs(1_200));
        expect((await channel.checkQueue(bucket)).messageCount).toBe(0);
        created.push(bucket, delayQueueName(queue, delayBucketMs(300)));
      } finally {
        await connection.close();
      }
    } finally {
      await transport.close();
    }
  });
});

describe("publishing", () => {
  it("declares the target on first publish and re-declares a queue deleted behind its back (mandatory)", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      await transport.publish(queue, { body: new Uint8Array([1]) });
      expect(await transport.depth(queue)).toBe(1);
      const { connection, channel } = await rawChannel();
      await channel.deleteQueue(queue);
      await connection.close();
      // The broker returns it (mandatory, no route); the transport re-declares and publishes again
      // instead of letting it vanish.
      await transport.publish(queue, { body: new Uint8Array([2]) });
      expect(await transport.depth(queue)).toBe(1);
    } finally {
      await transport.close();
    }
  });

  it("publishes 4,000 messages at once (past amqplib's write buffer: waits for drain) without loss", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      // amqplib's per-channel buffer holds 1,024 frames; beyond that publish() returns false and
      // the transport makes later publishes wait for 'drain' instead of piling up inside amqplib.
      const total = 4_000;
      const bodies = Array.from({ length: total }, (_, i) =>
        new TextEncoder().encode(`${i}:${"x".repeat(1000)}`),
      );
      await Promise.all(bodies.map((body) => transport.publish(queue, { body })));
      expect(await transport.depth(queue)).toBe(total);
      const seen = new Set<string>();
      await transport.consume(
        queue,
        (message) => {
          seen.add(new TextDecoder().decode(message.body).split(":")[0]!);
          return { kind: "ack" };
        },
        { concurrency: 32 },
      );
      await expect.poll(() => seen.size, { timeout: 30_000 }).toBe(total);
    } finally {
      await transport.close();
    }
  });

  it("depth of a missing queue is NOT_FOUND and does not break later operations", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      await expect(transport.depth(`${queue}-missing`)).rejects.toMatchObject({
        code: "NOT_FOUND",
        retryable: false,
      });
      await transport.ensureQueue(queue);
      expect(await transport.depth(queue)).toBe(0);
    } finally {
      await transport.close();
    }
  });
});

describe("delivery counts and dead letters", () => {
  it("keeps the attempt count across retries, process restarts and crash redeliveries", async () => {
    const queue = uniqueQueue();
    const first = await ready(testTransport());
    const got = collector();
    const sub = await first.consume(queue, (message) => {
      got.messages.push(message);
      return got.messages.length < 3 ? { kind: "retry" } : { kind: "ack" };
    });
    const hold = collector();
    await first.publish(queue, { body: new TextEncoder().encode("counted") });
    await got.waitFor(3);
    expect(got.messages.map((m) => m.deliveryCount)).toEqual([1, 2, 3]);
    await sub.stop();
    // A retry copy left behind by a "crashed" process keeps its count in the next process.
    await first.consume(queue, (message) => {
      hold.messages.push(message);
      return new Promise(() => undefined); // hangs: the process "crashes" (close) without acking
    });
    await first.publish(queue, { body: new TextEncoder().encode("crash") });
    await hold.waitFor(1);
    await first.close();
    const second = await ready(testTransport());
    const again = collector();
    await second.consume(queue, (message) => {
      again.messages.push(message);
      return again.messages.length === 1 ? { kind: "retry" } : { kind: "ack" };
    });
    await again.waitFor(2);
    expect(again.messages.map((m) => [new TextDecoder().decode(m.body), m.deliveryCount])).toEqual([
      ["crash", 2],
      ["crash", 3],
    ]);
    expect(again.messages[0]!.id).toBe(hold.messages[0]!.id);
    await second.close();
  });

  it("dead letters carry the reason; broker dead-letters (reject to the DLX) get a rabbitmq: reason", async () => {
    const transport = await ready(testTransport());
    const queue = uniqueQueue();
    try {
      await transport.ensureQueue(queue);
      await transport.publish(queue, { body: new TextEncoder().encode("poison"), attributes: { k: "v" } });
      const seen = collector();
      const sub = await transport.consume(queue, (message) => {
        seen.messages.push(message);
        return { kind: "deadLetter", reason: "bad input" };
      });
      await seen.waitFor(1);
      await sub.stop();
      // A message rejected straight to the DLX by another client (no reason header).
      const { connection, channel } = await rawChannel();
      await transport.publish(queue, { body: new TextEncoder().encode("rejected") });
      const raw = await new Promise<import("amqplib").GetMessage>((resolve, reject) => {
        const poll = async (): Promise<void> => {
          const message = await channel.get(queue);
          if (message === false) setTimeout(() => void poll().catch(reject), 20);
          else resolve(message);
        };
        void poll().catch(reject);
      });
      channel.nack(raw, false, false);
      // The broker settles the reject asynchronously; close only once it left the work queue.
      await expect.poll(async () => (await channel.checkQueue(queue)).messageCount).toBe(0);
      await connection.close();
      const dlq = collector();
      await transport.consume(`${queue}-dlq`, (message) => {
        dlq.messages.push(message);
        return { kind: "ack" };
      });
      await dlq.waitFor(2);
      const byBody = Object.fromEntries(
        dlq.messages.map((m) => [new TextDecoder().decode(m.body), m.attributes]),
      );
      expect(byBody.poison).toEqual({ k: "v", [DEAD_LETTER_REASON_ATTRIBUTE]: "bad input" });
      expect(byBody.rejected).toEqual({ [DEAD_LETTER_REASON_ATTRIBUTE]: "rabbitmq:rejected" });
    } finally {
      await transport.close();
    }
  });
});

describe("options", () => {
  it("uses an application-owned connection and leaves it open on close()", async () => {
    const amqp = await import("amqplib");
    const connection = await amqp.connect(rabbitMqUrl());
    const queue = uniqueQueue();
    try {
      const transport = await ready(createRabbitMqTransport({ connection }));
      const got = collector();
      await transport.consume(queue, (message) => {
        got.messages.push(message);
        return { kind: "ack" };
      });
      await transport.publish(queue, { body: new TextEncoder().encode("own") });
      await got.waitFor(1);
      await transport.close();
      expect(transport.isReady()).toBe(false);
      const channel = await connection.createChannel(); // still usable
      expect((await channel.checkQueue(queue)).messageCount).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it("publishes without confirms when publishConfirms is false", async () => {
    const transport = await ready(testTransport({ publishConfirms: false, prefetch: 4 }));
    const queue = uniqueQueue();
    try {
      await transport.ensureQueue(queue);
      for (let i = 0; i < 20; i++)
        await transport.publish(queue, { body: new TextEncoder().encode(`nc-${i}`) });
      const got = collector();
      await transport.consume(queue, (message) => {
        got.messages.push(message);
        return { kind: "ack" };
      });
      await got.waitFor(20);
      expect(new Set(got.messages.map((m) => new TextDecoder().decode(m.body))).size).toBe(20);
    } finally {
      await transport.close();
    }
  });
});

describe("credentials", () => {
  const secret = `pw-${randomBytes(6).toString("hex")}`;
  const badUrl = rabbitMqUrl().replace(/\/\/([^:@/]+)(:[^@/]*)?@/, `//$1:${secret}@`);

  it("never puts the password in errors or logs (wrong password)", async () => {
    expect(badUrl).toContain(secret);
    const lines: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) =>
      lines.push(message + JSON.stringify(fields ?? {}));
    const transport = createRabbitMqTransport({
      url: badUrl,
      reconnectInitialDelayMs: 20,
      reconnectMaxDelayMs: 50,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    try {
      await expect.poll(() => lines.length, { timeout: 10_000 }).toBeGreaterThan(1);
      const error = await transport
        .publish("asya-never", { body: new Uint8Array([1]) })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "ACCESS_DENIED", retryable: false });
      expect(transport.isReady()).toBe(false);
      const texts = [String((error as Error).message), String((error as Error).stack), ...lines];
      const cause = (error as Error).cause;
      if (cause instanceof Error) texts.push(cause.message);
      for (const text of texts) expect(text).not.toContain(secret);
      expect(lines.join("\n")).toContain("***");
    } finally {
      await transport.close();
    }
  });

  it("redacts the password in option validation errors", () => {
    let thrown: unknown;
    try {
      createRabbitMqTransport({ url: badUrl, prefetch: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVALID_ARGUMENT", retryable: false });
    expect(String((thrown as Error).message)).not.toContain(secret);
  });
});
