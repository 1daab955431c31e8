// Scenario 3: RabbitMQ pipe-through (consume A -> trivial handler -> publish to B with confirms ->
// ack A) at concurrency 1, 16, 64:
//  - ours: an @asya/runtime actor (createActor) on @asya/transport-rabbitmq, no-op handler;
//  - raw: a hand-written amqplib loop with identical settings (quorum queues with the adapter's
//    arguments, prefetch = concurrency, confirm channel, persistent + mandatory publish, ack after
//    the confirm) that parses the envelope, advances the route and re-serializes it;
//  - mqt: @message-queue-toolkit/amqp (consumer + queue publisher, zod schema validation), prefetch
//    = concurrency; it cannot wait for publisher confirms (fire-and-forget publish), so it does
//    less durability work than the other two;
//  - adapter alone: @asya/transport-rabbitmq consume -> publish the same bytes -> ack, without the
//    runtime, to split the runtime's cost from the adapter's.
// CPU µs per message of this process (user + system, including the completion polling) is reported too.
// Completion = all N messages counted on queue B (polled with checkQueue every 10 ms, same for all).
// Needs `pnpm build` and RabbitMQ (ASYA_TEST_RABBITMQ_URL, default amqp://guest:guest@127.0.0.1:5672).
// Usage: node --expose-gc bench/runtime-rabbitmq.bench.js [--rounds=5] [--concurrency=1,16,64]
//        [--messages=N (per run, all levels)] [--quick]

import { encodeEnvelope } from "@asya/envelope";
import { createActor, createJsonLogger } from "@asya/runtime";

import { createRabbitMqTransport, queueOptions, redactUrl } from "@asya/transport-rabbitmq";
import amqp from "amqplib";
import {
  effectiveRounds,
  flag,
  fmtInt,
  fmtMiB,
  footer,
  heading,
  interleave,
  listArg,
  markdownTable,
  median,
  numberArg,
  peakRssOf,
  ratio,
} from "./lib/index.js";
import { payloadOf } from "./lib/memory-pipeline.js";
import { startMqtPipe } from "./lib/mqt-amqp.js";
import { forwardJson, freshPipe } from "./lib/pipe.js";

// createActor's defaults as users get them: metrics on, the JSON logger at level info (lines
// dropped here instead of written to stderr, so the bench output stays readable).
const defaultLevelLogger = createJsonLogger({ write: () => undefined });

const url = process.env.ASYA_TEST_RABBITMQ_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const LEVELS = listArg("concurrency", [1, 16, 64]);
const fixed = numberArg("messages", 0);
const sizeFor = (c) =>
  fixed || (quick ? { 1: 50, 16: 500, 64: 800 } : { 1: 100, 16: 1000, 64: 2000 })[c] || 1000;
const payload = payloadOf(1024);

heading(
  "Scenario 3 — RabbitMQ pipe-through: runtime vs raw amqplib vs @message-queue-toolkit/amqp",
  `consume A -> no-op handler -> publish to B -> ack A; quorum queues (adapter's arguments), ~1 KiB payload, ` +
    `prefetch = concurrency, broker ${redactUrl(url)} (RabbitMQ on this machine). ` +
    "raw and runtime publish persistent messages and ack only after the broker's confirm; " +
    "@message-queue-toolkit/amqp (23.1.0, core 25.4.0) has no confirm mode: it publishes fire-and-forget and acks at once.",
);

const adminConnection = await amqp.connect(url);
const admin = await adminConnection.createConfirmChannel();
const declare = (queue) => admin.assertQueue(queue, queueOptions(queue, "quorum", 20));

/** Fresh actor names/queues, A pre-filled with `count` envelopes addressed to actor A. */
async function prepare(count, mqt) {
  const { actorA, actorB, a, b, envelope } = freshPipe("rb", payload);
  for (const q of [a, `${a}-dlq`, b, `${b}-dlq`]) await declare(q);
  const body = mqt
    ? Buffer.from(JSON.stringify({ ...envelope, type: "bench.pipe", timestamp: new Date().toISOString() }))
    : Buffer.from(encodeEnvelope(envelope));
  for (let i = 0; i < count; i++) {
    if (!admin.sendToQueue(a, body, { persistent: true, contentType: "application/json" })) {
      await new Promise((resolve) => admin.once("drain", resolve));
    }
  }
  await admin.waitForConfirms();
  return { actorA, actorB, a, b };
}

async function cleanup({ a, b }) {
  for (const q of [a, `${a}-dlq`, b, `${b}-dlq`]) await admin.deleteQueue(q).catch(() => undefined);
}

/** CPU time (user + system, µs) this process used since `since`, including the checkQueue polling. */
const cpuOf = (since) => {
  const { user, system } = process.cpuUsage(since);
  return user + system;
};

/** Resolves with the time (ms since `start`) when B holds `count` messages. */
async function whenDelivered(b, count, start) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { messageCount } = await admin.checkQueue(b);
    if (messageCount >= count) return performance.now() - start;
    if (Date.now() > deadline) throw new Error(`only ${messageCount}/${count} messages reached ${b}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function runRuntime(count, concurrency) {
  const q = await prepare(count, false);
  const transport = createRabbitMqTransport({ url, prefetch: concurrency });
  const actor = createActor({
    name: q.actorA,
    transport,
    concurrency,
    logger: defaultLevelLogger,
    handler: (p) => p,
  });
  await transport.ensureQueue(q.b); // connect + declare outside the timed part
  const cpu = process.cpuUsage();
  const start = performance.now();
  await actor.start();
  const ms = await whenDelivered(q.b, count, start);
  const cpuUs = cpuOf(cpu);
  await actor.stop({ graceMs: 2000 });
  await transport.close();
  await cleanup(q);
  return { value: (count / ms) * 1000, cpuUsPerMsg: cpuUs / count };
}

/** The adapter alone (no runtime): consume A -> publish the same bytes to B -> ack. Isolates the runtime's share. */
async function runTransportOnly(count, concurrency) {
  const q = await prepare(count, false);
  const transport = createRabbitMqTransport({ url, prefetch: concurrency });
  await transport.ensureQueue(q.a);
  await transport.ensureQueue(q.b);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const sub = await transport.consume(
    q.a,
    async (message) => {
      await transport.publish(q.b, { body: message.body });
      return { kind: "ack" };
    },
    { concurrency },
  );
  const ms = await whenDelivered(q.b, count, start);
  const cpuUs = cpuOf(cpu);
  await sub.stop();
  await transport.close();
  await cleanup(q);
  return { value: (count / ms) * 1000, cpuUsPerMsg: cpuUs / count };
}

async function runRaw(count, concurrency) {
  const q = await prepare(count, false);
  const connection = await amqp.connect(url);
  const consumer = await connection.createChannel();
  const publisher = await connection.createConfirmChannel();
  await consumer.prefetch(concurrency);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { consumerTag } = await consumer.consume(q.a, (message) => {
    if (message === null) return;
    let out;
    try {
      out = Buffer.from(forwardJson(message.content.toString("utf8")));
    } catch {
      consumer.nack(message, false, false);
      return;
    }
    publisher.publish(
      "",
      q.b,
      out,
      {
        persistent: true,
        mandatory: true,
        contentType: "application/json",
        headers: message.properties.headers,
      },
      (error) => {
        if (error) consumer.nack(message, false, true);
        else consumer.ack(message);
      },
    );
  });
  const ms = await whenDelivered(q.b, count, start);
  const cpuUs = cpuOf(cpu);
  await consumer.cancel(consumerTag);
  await connection.close();
  await cleanup(q);
  return { value: (count / ms) * 1000, cpuUsPerMsg: cpuUs / count };
}

async function runMqt(count, concurrency) {
  const q = await prepare(count, true);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const pipe = await startMqtPipe(url, q.a, q.b, concurrency);
  const ms = await whenDelivered(q.b, count, start);
  const cpuUs = cpuOf(cpu);
  await pipe.close();
  await cleanup(q);
  return { value: (count / ms) * 1000, cpuUsPerMsg: cpuUs / count };
}

const rows = [];
for (const concurrency of LEVELS) {
  const count = sizeFor(concurrency);
  const label = `rmq-${concurrency}-`;
  const results = await interleave(
    {
      runtime: ({ warmup }) => runRuntime(warmup ? Math.min(count, 100) : count, concurrency),
      raw: ({ warmup }) => runRaw(warmup ? Math.min(count, 100) : count, concurrency),
      mqt: ({ warmup }) => runMqt(warmup ? Math.min(count, 100) : count, concurrency),
      transport: ({ warmup }) => runTransportOnly(warmup ? Math.min(count, 100) : count, concurrency),
    },
    { rounds: ROUNDS, label },
  );
  rows.push([
    concurrency,
    count,
    fmtInt(results.runtime.median),
    fmtInt(results.raw.median),
    fmtInt(results.mqt.median),
    `**${ratio(results.runtime.median, results.raw.median)}**`,
    `**${ratio(results.runtime.median, results.mqt.median)}**`,
    fmtInt(results.transport.median),
    ["runtime", "raw", "mqt", "transport"]
      .map((n) => fmtInt(median(results[n].extras.map((e) => e.cpuUsPerMsg))))
      .join(" / "),
    `${fmtMiB(peakRssOf(`${label}runtime`))} / ${fmtMiB(peakRssOf(`${label}raw`))} / ${fmtMiB(peakRssOf(`${label}mqt`))}`,
  ]);
  console.error(
    `concurrency ${concurrency}: runtime ${results.runtime.values.map(fmtInt).join(",")} raw ${results.raw.values.map(fmtInt).join(",")} mqt ${results.mqt.values.map(fmtInt).join(",")} adapter ${results.transport.values.map(fmtInt).join(",")}`,
  );
}
console.log(
  `Median msgs/s of ${effectiveRounds(ROUNDS)} interleaved rounds (after 1 warm-up round) per concurrency level.\n`,
);
console.log(
  markdownTable(
    [
      { title: "concurrency" },
      { title: "msgs/run" },
      { title: "@asya/runtime msgs/s" },
      { title: "raw amqplib msgs/s" },
      { title: "@message-queue-toolkit/amqp msgs/s" },
      { title: "ratio runtime/raw" },
      { title: "ratio runtime/mqt" },
      { title: "adapter alone msgs/s (no runtime)" },
      { title: "CPU µs/msg runtime / raw / mqt / adapter (this process)" },
      { title: "peak RSS runtime / raw / mqt", align: "left" },
    ],
    rows,
  ),
);
await adminConnection.close();
footer("RSS is sampled per variant inside one process, so later variants include earlier heap growth");
