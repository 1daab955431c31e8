// Scenario 5: Pub/Sub pipe-through on Google's emulator (started here, stopped by PID at the end):
// consume A -> no-op handler -> publish to B -> ack A, same flow control for both variants:
//  - ours: an @asya/runtime actor (createActor) on @asya/transport-pubsub;
//  - raw: a hand-written @google-cloud/pubsub loop: subscription with flowControl.maxMessages =
//    concurrency, on("message") -> parse, advance the route, serialize -> topic B publishMessage
//    (batching 5 ms, as the adapter's default) -> ack after the publish resolved.
// Topics/subscriptions are created by @asya/transport-pubsub's ensureQueue for both variants.
// Completion = a counting subscriber on B (same for both) has seen N messages.
// Needs `pnpm build` and the emulator (see lib/services.js).
// Usage: node --expose-gc bench/runtime-pubsub.bench.js [--rounds=5] [--messages=1000] [--concurrency=16] [--quick]

import { encodeEnvelope } from "@asya/envelope";
import {
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
  startPubSubEmulator,
  waitUntil,
} from "./lib/index.js";
import { payloadOf } from "./lib/memory-pipeline.js";
import { forwardJson, freshPipe } from "./lib/pipe.js";

const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const MESSAGES = numberArg("messages", quick ? 300 : 1000);
const CONCURRENCY = numberArg("concurrency", 16);
const PROJECT = "asya-bench";
const payload = payloadOf(1024);

const emulator = await startPubSubEmulator();
try {
  const { PubSub } = await import("@google-cloud/pubsub");
  const { createActor, createJsonLogger } = await import("@asya/runtime");
  const defaultLevelLogger = createJsonLogger({ write: () => undefined });
  const { createPubSubTransport } = await import("@asya/transport-pubsub");
  heading(
    "Scenario 5 — Pub/Sub pipe-through on the emulator: runtime vs raw @google-cloud/pubsub",
    `consume A -> no-op handler -> publish to B -> ack A; ${MESSAGES} messages per run, ~1 KiB payload, ` +
      `${CONCURRENCY} messages in flight (flow control), emulator pid ${emulator.pid} on ${emulator.host}.`,
  );
  const admin = createPubSubTransport({ projectId: PROJECT, apiEndpoint: emulator.host, autoCreate: true });
  const client = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host });

  async function prepare(count) {
    const { actorA, actorB, a, b, envelope } = freshPipe("ps", payload);
    await admin.ensureQueue(a);
    await admin.ensureQueue(b);
    const body = Buffer.from(encodeEnvelope(envelope));
    const fill = client.topic(a, { batching: { maxMessages: 500, maxMilliseconds: 10 } });
    await Promise.all(Array.from({ length: count }, () => fill.publishMessage({ data: body })));
    await fill.flush();
    // Counting subscriber on B (identical for both variants).
    let seen = 0;
    const counter = client.subscription(b, { flowControl: { maxMessages: 1000 } });
    counter.on("message", (m) => {
      seen += 1;
      m.ack();
    });
    counter.on("error", () => {});
    return {
      actorA,
      actorB,
      a,
      b,
      seen: () => seen,
      async close() {
        await counter.close();
      },
    };
  }

  async function runRuntime(count) {
    const q = await prepare(count);
    const transport = createPubSubTransport({
      projectId: PROJECT,
      apiEndpoint: emulator.host,
      ackDeadlineSec: 60,
    });
    const actor = createActor({
      name: q.actorA,
      transport,
      concurrency: CONCURRENCY,
      logger: defaultLevelLogger,
      handler: (p) => p,
    });
    const start = performance.now();
    await actor.start();
    await waitUntil(() => q.seen() >= count, { timeoutMs: 180_000, everyMs: 5, what: "B to receive all" });
    const ms = performance.now() - start;
    await actor.stop({ graceMs: 3000 });
    await transport.close();
    await q.close();
    return (count / ms) * 1000;
  }

  async function runRaw(count) {
    const q = await prepare(count);
    const raw = new PubSub({ projectId: PROJECT, apiEndpoint: emulator.host });
    const topicB = raw.topic(q.b, { batching: { maxMilliseconds: 5 } });
    const subscription = raw.subscription(q.a, {
      flowControl: { maxMessages: CONCURRENCY, allowExcessMessages: false },
      ackDeadline: 60,
    });
    const start = performance.now();
    subscription.on("message", (message) => {
      let out;
      try {
        out = Buffer.from(forwardJson(message.data.toString("utf8")));
      } catch {
        message.ack();
        return;
      }
      topicB.publishMessage({ data: out, attributes: message.attributes }).then(
        () => message.ack(),
        () => message.nack(),
      );
    });
    subscription.on("error", () => {});
    await waitUntil(() => q.seen() >= count, { timeoutMs: 180_000, everyMs: 5, what: "B to receive all" });
    const ms = performance.now() - start;
    await subscription.close();
    await raw.close();
    await q.close();
    return (count / ms) * 1000;
  }

  const results = await interleave(
    {
      runtime: ({ warmup }) => runRuntime(warmup ? 200 : MESSAGES),
      raw: ({ warmup }) => runRaw(warmup ? 200 : MESSAGES),
    },
    { rounds: ROUNDS, label: "ps-" },
  );
  console.log(`Median msgs/s of ${effectiveRounds(ROUNDS)} interleaved rounds (after 1 warm-up round).\n`);
  console.log(
    markdownTable(
      [
        { title: "variant", align: "left" },
        { title: "msgs/s (median)" },
        { title: "peak RSS" },
        { title: "all rounds (msgs/s)", align: "left" },
      ],
      [
        ["@asya/runtime + @asya/transport-pubsub", "runtime"],
        ["raw @google-cloud/pubsub loop", "raw"],
      ].map(([title, name]) => [
        title,
        fmtInt(results[name].median),
        fmtMiB(peakRssOf(`ps-${name}`)),
        results[name].values.map(fmtInt).join(", "),
      ]),
    ),
  );
  console.log(`\n**Ratio runtime / raw: ${ratio(results.runtime.median, results.raw.median)}**`);
  await admin.close();
  await client.close();
  footer("RSS is sampled per variant inside one process");
} finally {
  await emulator.stop();
}
