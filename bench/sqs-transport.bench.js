// Pipe-through benchmark for @asya/transport-sqs against a hand-written raw SDK loop, both on a
// moto_server started here (by PID, own process group) and stopped at the end.
// Each run: N messages wait in queue A; consume A -> trivial handler -> publish to B -> ack.
// Same batch size (10), long polling (WaitTimeSeconds 1) and 10 messages in flight for both.
// Rounds alternate transport / raw; the median of each is reported with their ratio and peak RSS.
// Needs `pnpm build` first (imports the built package). Usage: node bench/sqs-transport.bench.js [--messages=N] [--rounds=R]

import { randomBytes } from "node:crypto";
import { createSqsTransport } from "@asya/transport-sqs";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { startMoto } from "./lib/services.js";
import { median } from "./lib/stats.js";

const arg = (name, fallback) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : Number(found.split("=")[1]);
};
// moto's per-request cost grows with queue depth (O(n) scans), so the backlog stays modest.
const MESSAGES = arg("messages", 300);
const ROUNDS = Math.max(5, arg("rounds", 5));
const BATCH = 10;
const WAIT_SECONDS = 1;

// lib/services.js sets dummy AWS credentials and kills moto's process group on exit; a signal must
// still stop it (moto runs in its own group, so Ctrl-C does not reach it).
const moto = await startMoto();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    moto.stop();
    process.exit(130);
  });
}
const client = new SQSClient({ endpoint: moto.endpoint, region: "us-east-1" });

async function createQueue() {
  const name = `asya-bench-${randomBytes(4).toString("hex")}`;
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
  return { name, url: QueueUrl };
}

async function preload(url) {
  for (let start = 0; start < MESSAGES; start += BATCH) {
    const entries = Array.from({ length: Math.min(BATCH, MESSAGES - start) }, (_, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify({ id: `m-${start + i}`, payload: { n: start + i } }),
    }));
    await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
  }
}

async function drained(url) {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible) ===
    0
  );
}

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

async function runTransport() {
  const a = await createQueue();
  const b = await createQueue();
  await preload(a.url);
  globalThis.gc?.();
  const transport = createSqsTransport({
    endpoint: moto.endpoint,
    region: "us-east-1",
    batchSize: BATCH,
    waitTimeSeconds: WAIT_SECONDS,
  });
  const peakRss = rssSampler();
  let handled = 0;
  const started = performance.now();
  const subscription = await transport.consume(
    a.name,
    async (message) => {
      await transport.publish(b.name, { body: message.body, attributes: message.attributes });
      handled += 1;
      return { kind: "ack" };
    },
    { concurrency: BATCH },
  );
  // Poll the local counter first: polling SQS meanwhile would load moto during the measurement.
  while (handled < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 5));
  while (!(await drained(a.url))) await new Promise((resolve) => setTimeout(resolve, 10));
  const elapsedMs = performance.now() - started;
  const rss = peakRss();
  await subscription.stop();
  await transport.close();
  return { elapsedMs, rss };
}

async function runRaw() {
  const a = await createQueue();
  const b = await createQueue();
  await preload(a.url);
  globalThis.gc?.();
  const peakRss = rssSampler();
  let handled = 0;
  const started = performance.now();
  while (handled < MESSAGES) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: a.url,
        MaxNumberOfMessages: BATCH,
        WaitTimeSeconds: WAIT_SECONDS,
        MessageAttributeNames: ["All"],
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    if (Messages.length === 0) continue;
    await Promise.all(
      Messages.map((m) =>
        client.send(
          new SendMessageCommand({
            QueueUrl: b.url,
            MessageBody: m.Body,
            ...(m.MessageAttributes === undefined ? {} : { MessageAttributes: m.MessageAttributes }),
          }),
        ),
      ),
    );
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: a.url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    handled += Messages.length;
  }
  while (!(await drained(a.url))) await new Promise((resolve) => setTimeout(resolve, 10));
  const elapsedMs = performance.now() - started;
  return { elapsedMs, rss: peakRss() };
}

try {
  const results = { transport: [], raw: [] };
  console.log(`pipe-through on moto: ${MESSAGES} messages x ${ROUNDS} rounds (interleaved), batch ${BATCH}`);
  for (let round = 1; round <= ROUNDS; round += 1) {
    const order = round % 2 === 1 ? ["transport", "raw"] : ["raw", "transport"];
    for (const variant of order) {
      const result = variant === "transport" ? await runTransport() : await runRaw();
      results[variant].push(result);
      console.log(
        `round ${round} ${variant.padEnd(9)} ${result.elapsedMs.toFixed(0).padStart(6)} ms  ${(MESSAGES / (result.elapsedMs / 1000)).toFixed(0).padStart(5)} msg/s`,
      );
    }
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([variant, runs]) => {
      const ms = median(runs.map((r) => r.elapsedMs));
      return [
        variant,
        { ms, rate: MESSAGES / (ms / 1000), rssMb: Math.max(...runs.map((r) => r.rss)) / 2 ** 20 },
      ];
    }),
  );
  console.log("\n| variant | median ms | msg/s | peak RSS (MiB) |\n|---|---:|---:|---:|");
  for (const [variant, s] of Object.entries(summary)) {
    console.log(`| ${variant} | ${s.ms.toFixed(0)} | ${s.rate.toFixed(0)} | ${s.rssMb.toFixed(1)} |`);
  }
  console.log(`\nratio transport/raw throughput: ${(summary.transport.rate / summary.raw.rate).toFixed(2)}`);
} finally {
  client.destroy();
  await moto.stop();
}
