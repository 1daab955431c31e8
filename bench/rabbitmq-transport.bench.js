// Pipe-through benchmark on a real RabbitMQ broker: consume from queue A -> trivial handler ->
// publish to queue B with publisher confirms -> ack A. Compares @asya/transport-rabbitmq with a
// hand-written raw amqplib loop using identical settings (same queue arguments, prefetch =
// concurrency, confirm channel, persistent + mandatory publishes, ack after the confirm).
// Runs interleaved (ours, raw, ours, raw, ...) for ROUNDS rounds per prefetch and prints medians.
//
// Usage: pnpm build && node bench/rabbitmq-transport.bench.js [--rounds=5] [--quick]
// Broker: ASYA_TEST_RABBITMQ_URL (default amqp://guest:guest@127.0.0.1:5672).

import { randomBytes } from "node:crypto";
import { createRabbitMqTransport, queueOptions, redactUrl } from "@asya/transport-rabbitmq";
import amqp from "amqplib";

const url = process.env.ASYA_TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const argValue = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.split("=")[1]);
};
const quick = process.argv.includes("--quick");
const rounds = argValue("rounds", quick ? 2 : 5);
// Messages per run, sized so one run takes roughly a second or two at each prefetch.
const sizes = quick ? { 1: 200, 16: 1000, 64: 2000 } : { 1: 600, 16: 3000, 64: 5000 };
const prefetches = [1, 16, 64];
const body = Buffer.from(
  JSON.stringify({
    id: "bench",
    route: { prev: [], curr: "a", next: ["b"] },
    payload: { text: "x".repeat(900) },
  }),
);

let peakRss = 0;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 25);

const declare = (channel, queue) => channel.assertQueue(queue, queueOptions(queue, "quorum", 20));

/** Fresh queues A and B (+ DLQs, same arguments the transport uses) with `count` messages in A. */
async function prepare(admin, count) {
  const tag = randomBytes(4).toString("hex");
  const a = `asya-bench-${tag}-a`;
  const b = `asya-bench-${tag}-b`;
  for (const q of [a, `${a}-dlq`, b, `${b}-dlq`]) await declare(admin, q);
  for (let i = 0; i < count; i++) {
    if (!admin.publish("", a, body, { persistent: true, messageId: `m-${i}` })) {
      await new Promise((resolve) => admin.once("drain", resolve));
    }
  }
  await admin.waitForConfirms();
  return { a, b };
}

async function cleanup(admin, { a, b }) {
  for (const q of [a, `${a}-dlq`, b, `${b}-dlq`]) await admin.deleteQueue(q);
}

async function waitUntil(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Ours: one transport, consume A with concurrency = prefetch, publish to B, ack. */
async function runOurs(queues, count, prefetch) {
  const transport = createRabbitMqTransport({ url, prefetch });
  // Connect and declare outside the timed part, as the raw loop connects before its timer.
  await transport.ensureQueue(queues.a);
  await transport.ensureQueue(queues.b);
  let done = 0;
  const start = performance.now();
  const sub = await transport.consume(queues.a, async (message) => {
    await transport.publish(queues.b, { body: message.body, attributes: message.attributes });
    done++;
    return { kind: "ack" };
  });
  await waitUntil(() => done >= count);
  const elapsedMs = performance.now() - start;
  await sub.stop();
  await transport.close();
  return (count / elapsedMs) * 1000;
}

/** Raw: a consumer channel (prefetch) and a confirm channel on one connection. */
async function runRaw(queues, count, prefetch) {
  const connection = await amqp.connect(url);
  const consumer = await connection.createChannel();
  const publisher = await connection.createConfirmChannel();
  await consumer.prefetch(prefetch);
  let done = 0;
  const start = performance.now();
  const { consumerTag } = await consumer.consume(queues.a, (message) => {
    if (message === null) return;
    publisher.publish(
      "",
      queues.b,
      message.content,
      {
        persistent: true,
        mandatory: true,
        messageId: message.properties.messageId,
        headers: message.properties.headers,
      },
      (error) => {
        if (error) consumer.nack(message, false, true);
        else {
          consumer.ack(message);
          done++;
        }
      },
    );
  });
  await waitUntil(() => done >= count);
  const elapsedMs = performance.now() - start;
  await consumer.cancel(consumerTag);
  await connection.close();
  return (count / elapsedMs) * 1000;
}

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

const adminConnection = await amqp.connect(url);
const admin = await adminConnection.createConfirmChannel();
console.log(`RabbitMQ pipe-through (consume A -> publish B with confirms -> ack), broker ${redactUrl(url)}`);
console.log(`quorum queues, 1 KiB bodies, ${rounds} interleaved rounds per prefetch, median msgs/s\n`);
console.log(
  "| prefetch | msgs/run | @asya/transport-rabbitmq | raw amqplib | ratio (ours/raw) | peak RSS ours | peak RSS raw |",
);
console.log("|---:|---:|---:|---:|---:|---:|---:|");
for (const prefetch of prefetches) {
  const count = sizes[prefetch];
  const results = { ours: [], raw: [] };
  const rss = { ours: 0, raw: 0 };
  // Warm-up (not measured): JIT, first connection, first queue declarations.
  for (const run of [runOurs, runRaw]) {
    const queues = await prepare(admin, Math.min(200, count));
    await run(queues, Math.min(200, count), prefetch);
    await cleanup(admin, queues);
  }
  for (let round = 0; round < rounds; round++) {
    for (const [kind, run] of [
      ["ours", runOurs],
      ["raw", runRaw],
    ]) {
      const queues = await prepare(admin, count);
      globalThis.gc?.();
      peakRss = process.memoryUsage().rss;
      results[kind].push(await run(queues, count, prefetch));
      rss[kind] = Math.max(rss[kind], peakRss);
      await cleanup(admin, queues);
    }
  }
  const ours = median(results.ours);
  const raw = median(results.raw);
  console.log(
    `| ${prefetch} | ${count} | ${ours.toFixed(0)} | ${raw.toFixed(0)} | ${(ours / raw).toFixed(2)} | ${mib(rss.ours)} | ${mib(rss.raw)} |`,
  );
}
clearInterval(rssTimer);
await adminConnection.close();
