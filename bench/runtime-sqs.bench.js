// Scenario 4: SQS pipe-through on moto_server (started here, stopped by PID at the end):
// consume A -> no-op handler -> publish to B -> delete from A, batch size 10, long polling 1 s,
// 10 messages in flight for every variant:
//  - ours: an @asya/runtime actor (createActor) on @asya/transport-sqs (concurrency 10);
//  - raw: a hand-written @aws-sdk/client-sqs loop: ReceiveMessage(10, wait 1 s) -> per message parse,
//    advance the route, serialize, SendMessage to B (in parallel) -> one DeleteMessageBatch;
//  - sqs-consumer (14.2.8, the last Node-20 line): handleMessage sends to B and returns the message.
// Queues are created by @asya/transport-sqs's ensureQueue for all variants (same attributes, DLQ).
// Completion = B's ApproximateNumberOfMessages reaches N (polled every 50 ms, same for all).
// Needs `pnpm build` and moto_server on PATH.
// Usage: node --expose-gc bench/runtime-sqs.bench.js [--rounds=5] [--messages=300] [--quick]

import { encodeEnvelope } from "@asya/envelope";
import { createActor, createJsonLogger } from "@asya/runtime";

import { createSqsTransport } from "@asya/transport-sqs";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import {
  callSummary,
  countingSqs,
  effectiveRounds,
  flag,
  fmtInt,
  fmtMiB,
  footer,
  heading,
  interleave,
  markdownTable,
  numberArg,
  peakRssOf,
  ratio,
  startMoto,
} from "./lib/index.js";
import { payloadOf } from "./lib/memory-pipeline.js";
import { forwardJson, freshPipe } from "./lib/pipe.js";

// createActor's defaults as users get them: metrics on, the JSON logger at level info (lines
// dropped here instead of written to stderr, so the bench output stays readable).
const defaultLevelLogger = createJsonLogger({ write: () => undefined });

const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const MESSAGES = numberArg("messages", quick ? 100 : 300);
const BATCH = 10;
const WAIT_SECONDS = 1;
const REGION = "us-east-1";
const payload = payloadOf(1024);

const moto = await startMoto();
try {
  heading(
    "Scenario 4 — SQS pipe-through on moto: runtime vs raw SDK loop vs sqs-consumer",
    `consume A -> no-op handler -> publish to B -> delete from A; ${MESSAGES} messages per run, ~1 KiB payload, batch size ${BATCH}, ` +
      `long polling ${WAIT_SECONDS} s, 10 messages in flight; moto_server (pid ${moto.pid}) on this machine. ` +
      "moto is single-threaded Python: it is the bottleneck, so the ratios mostly measure how many HTTP calls each variant makes per message.",
  );
  const client = new SQSClient({ endpoint: moto.endpoint, region: REGION });
  /** An SQS client that counts its API calls by command name (to compare calls per message). */
  const countingClient = () => countingSqs({ endpoint: moto.endpoint, region: REGION });
  const admin = createSqsTransport({ endpoint: moto.endpoint, region: REGION, autoCreate: true });
  const urlOf = async (name) => (await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;

  async function prepare(count) {
    const { actorA, actorB, a, b, envelope } = freshPipe("sq", payload);
    await admin.ensureQueue(a);
    await admin.ensureQueue(b);
    const body = new TextDecoder().decode(encodeEnvelope(envelope));
    const urlA = await urlOf(a);
    const urlB = await urlOf(b);
    for (let start = 0; start < count; start += BATCH) {
      const entries = Array.from({ length: Math.min(BATCH, count - start) }, (_, i) => ({
        Id: String(i),
        MessageBody: body,
      }));
      await client.send(new SendMessageBatchCommand({ QueueUrl: urlA, Entries: entries }));
    }
    return { actorA, actorB, a, b, urlA, urlB };
  }

  async function whenDelivered(urlB, count, start) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: urlB, AttributeNames: ["ApproximateNumberOfMessages"] }),
      );
      const n = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
      if (n >= count) return performance.now() - start;
      if (Date.now() > deadline) throw new Error(`only ${n}/${count} messages reached B`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends message `m` of A, its route advanced, to B (what the raw loop and sqs-consumer do per message). */
  const forwardToB = (sqs, urlB, m) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl: urlB,
        MessageBody: forwardJson(m.Body ?? ""),
        ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
      }),
    );

  async function runRuntime(count) {
    const q = await prepare(count);
    const { sqs, calls } = countingClient();
    const transport = createSqsTransport({
      client: sqs,
      waitTimeSeconds: WAIT_SECONDS,
      batchSize: BATCH,
    });
    const actor = createActor({
      name: q.actorA,
      transport,
      concurrency: BATCH,
      logger: defaultLevelLogger,
      handler: (p) => p,
    });
    const start = performance.now();
    await actor.start();
    const ms = await whenDelivered(q.urlB, count, start);
    const used = callSummary(calls, count);
    await actor.stop({ graceMs: 3000 });
    await transport.close();
    sqs.destroy();
    return { value: (count / ms) * 1000, calls: used };
  }

  async function runRaw(count) {
    const q = await prepare(count);
    const { sqs, calls } = countingClient();
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: q.urlA,
            MaxNumberOfMessages: BATCH,
            WaitTimeSeconds: WAIT_SECONDS,
            VisibilityTimeout: 30,
            MessageAttributeNames: ["All"],
          }),
        );
        if (Messages.length === 0) continue;
        const done = await Promise.all(
          Messages.map(async (m) => {
            try {
              await forwardToB(sqs, q.urlB, m);
              return m;
            } catch {
              return undefined; // left for redelivery
            }
          }),
        );
        const entries = done
          .filter((m) => m !== undefined)
          .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }));
        if (entries.length > 0)
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q.urlA, Entries: entries }));
      }
    })();
    const start = performance.now();
    const ms = await whenDelivered(q.urlB, count, start);
    const used = callSummary(calls, count);
    stopped = true;
    await loop;
    sqs.destroy();
    return { value: (count / ms) * 1000, calls: used };
  }

  async function runSqsConsumer(count) {
    const q = await prepare(count);
    const { sqs, calls } = countingClient();
    const consumer = Consumer.create({
      queueUrl: q.urlA,
      sqs,
      batchSize: BATCH,
      waitTimeSeconds: WAIT_SECONDS,
      visibilityTimeout: 30,
      messageAttributeNames: ["All"],
      handleMessage: async (m) => {
        await forwardToB(sqs, q.urlB, m);
        return m;
      },
    });
    consumer.on("error", () => {});
    const start = performance.now();
    consumer.start();
    const ms = await whenDelivered(q.urlB, count, start);
    const used = callSummary(calls, count);
    await new Promise((resolve) => {
      consumer.once("stopped", resolve);
      consumer.stop({ abort: false });
    });
    sqs.destroy();
    return { value: (count / ms) * 1000, calls: used };
  }

  const results = await interleave(
    {
      runtime: ({ warmup }) => runRuntime(warmup ? 50 : MESSAGES),
      raw: ({ warmup }) => runRaw(warmup ? 50 : MESSAGES),
      "sqs-consumer": ({ warmup }) => runSqsConsumer(warmup ? 50 : MESSAGES),
    },
    { rounds: ROUNDS, label: "sqs-" },
  );
  console.log(`Median msgs/s of ${effectiveRounds(ROUNDS)} interleaved rounds (after 1 warm-up round).\n`);
  console.log(
    markdownTable(
      [
        { title: "variant", align: "left" },
        { title: "msgs/s (median)" },
        { title: "ratio runtime / variant" },
        { title: "API calls per message (last round)", align: "left" },
        { title: "peak RSS" },
        { title: "all rounds (msgs/s)", align: "left" },
      ],
      [
        ["@asya/runtime + @asya/transport-sqs", "runtime"],
        ["raw @aws-sdk/client-sqs loop", "raw"],
        ["sqs-consumer 14.2.8", "sqs-consumer"],
      ].map(([title, name]) => [
        title,
        fmtInt(results[name].median),
        name === "runtime" ? "1.00" : `**${ratio(results.runtime.median, results[name].median)}**`,
        results[name].extras.at(-1)?.calls ?? "",
        fmtMiB(peakRssOf(`sqs-${name}`)),
        results[name].values.map(fmtInt).join(", "),
      ]),
    ),
  );
  await admin.close();
  client.destroy();
  footer("RSS is sampled per variant inside one process");
} finally {
  await moto.stop();
}
