import { publishAll } from "@asya/transport";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RabbitMqNode, startRabbitMqNode } from "../../../test/setup/rabbitmq-node.js";
import { ready, testTransport } from "./helpers.js";

// Stops and starts the broker app mid-stream, on a RabbitMQ node private to this file (own ports,
// node name, data dir): the run's shared node and the machine's broker are never disturbed.
const queue = `asya-restart-${process.pid}-${Date.now().toString(36)}`;
let node: RabbitMqNode | undefined;
let appStopped = false;

beforeAll(async () => {
  node = await startRabbitMqNode("restart");
});

afterAll(async () => {
  if (appStopped) await node?.startApp();
  await node?.stop(); // deletes the node with its data dir: no queue survives
});

function broker(): RabbitMqNode {
  if (node === undefined) throw new Error("private RabbitMQ node did not start");
  return node;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it("survives a broker restart mid-stream with 2,000 messages in flight: none lost", async () => {
  const total = 2_000;
  const producer = await ready(testTransport({ url: broker().url, publishTimeoutMs: 60_000 }));
  const consumer = await ready(testTransport({ url: broker().url }));
  const impatient = await ready(testTransport({ url: broker().url, publishTimeoutMs: 300 }));
  try {
    await producer.ensureQueue(queue);
    const seen = new Map<string, number>();
    let holding = false;
    let outage = false;
    const running = new Set<AbortSignal>();
    await consumer.consume(
      queue,
      async (message, { signal }) => {
        running.add(signal);
        try {
          // Once 300 are through, hold every delivery until its channel dies with the broker, so
          // the restart deterministically hits messages in flight and messages still queued.
          if (holding)
            await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          await new Promise((resolve) => setTimeout(resolve, 2));
          if (!signal.aborted) {
            const body = new TextDecoder().decode(message.body);
            if (body.startsWith("r-")) seen.set(body, (seen.get(body) ?? 0) + 1);
            if (seen.size >= 300 && !outage) holding = true;
          }
          return { kind: "ack" }; // ignored when aborted: the delivery belongs to a lost channel
        } finally {
          running.delete(signal);
        }
      },
      { concurrency: 16 },
    );
    const messages = Array.from({ length: total }, (_, i) => ({ body: new TextEncoder().encode(`r-${i}`) }));
    await publishAll(producer, queue, messages.slice(0, total / 2), { concurrency: 32 });
    await until(() => holding && running.size > 0, 30_000, "first 300 deliveries");

    const inFlightAtStop = [...running];
    appStopped = true;
    await broker().stopApp();
    await until(() => !producer.isReady() && !consumer.isReady(), 10_000, "transports notice the outage");
    const seenAtStop = seen.size;
    outage = true;
    holding = false;
    // The second half is published while the broker is down: these publishes wait, then confirm.
    const publishing = publishAll(producer, queue, messages.slice(total / 2), { concurrency: 32 });
    // A publish whose bounded wait runs out fails with a retryable error instead of vanishing.
    await expect(impatient.publish(queue, { body: new Uint8Array([0]) })).rejects.toMatchObject({
      name: "TransportError",
      retryable: true,
    });
    await broker().startApp();
    appStopped = false;

    expect(seenAtStop).toBeLessThan(total / 2);
    expect(inFlightAtStop.length).toBeGreaterThan(0);
    expect(inFlightAtStop.every((signal) => signal.aborted)).toBe(true);
    await publishing; // every publish confirmed (retried across the outage), none rejected
    await until(() => seen.size === total, 60_000, `all ${total} delivered (have ${seen.size})`);
    expect(producer.isReady() && consumer.isReady()).toBe(true);
    const missing = messages.map((m) => new TextDecoder().decode(m.body)).filter((body) => !seen.has(body));
    expect(missing).toEqual([]);
  } finally {
    await Promise.all([producer.close(), consumer.close(), impatient.close()]);
  }
}, 120_000);
