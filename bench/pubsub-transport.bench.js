// Pipe-through benchmark on Google's Pub/Sub emulator: consume queue A -> trivial handler ->
// publish to queue B -> ack, with @asya/transport-pubsub versus a hand-written loop over the raw
// @google-cloud/pubsub client. Rounds are interleaved (ours, raw, ours, raw, ...), each variant runs
// in a fresh child process (clean peak RSS) on fresh topics; we report medians and the ratio.
//
// Needs the built package (`pnpm build`) and the emulator binary (or PUBSUB_EMULATOR_HOST).
// Usage: node bench/pubsub-transport.bench.js [--messages=2000] [--rounds=5] [--concurrency=32]

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { startPubSubEmulator } from "./lib/services.js";
import { median } from "./lib/stats.js";

const PROJECT_ID = "asya-bench";

function arg(name, fallback) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

// ---------------------------------------------------------------- child: one measured run

async function runChild(variant, host, messages, concurrency) {
  process.env.METADATA_SERVER_DETECTION ??= "none";
  const { PubSub } = await import("@google-cloud/pubsub");
  const admin = new PubSub({ projectId: PROJECT_ID, apiEndpoint: host });
  const suffix = randomBytes(5).toString("hex");
  const queueA = `asya-bench-a-${suffix}`;
  const queueB = `asya-bench-b-${suffix}`;
  for (const name of [queueA, queueB]) {
    const [topic] = await admin.createTopic(name);
    await topic.createSubscription(name, { ackDeadlineSeconds: 60 });
  }
  // Pre-fill A with the same raw publisher for both variants (not measured).
  const body = Buffer.from(
    JSON.stringify({ id: "e", route: { prev: [], curr: "a", next: ["b"] }, payload: { n: 1 } }),
  );
  const fill = admin.topic(queueA, { batching: { maxMessages: 500, maxMilliseconds: 10 } });
  await Promise.all(
    Array.from({ length: messages }, (_, i) =>
      fill.publishMessage({ data: body, attributes: { i: String(i) } }),
    ),
  );
  await fill.flush();

  let done = 0;
  let stop;
  const started = performance.now();
  if (variant === "ours") {
    const { createPubSubTransport } = await import("@asya/transport-pubsub");
    const transport = createPubSubTransport({ projectId: PROJECT_ID, apiEndpoint: host, ackDeadlineSec: 60 });
    const subscription = await transport.consume(
      queueA,
      async (message) => {
        await transport.publish(queueB, { body: message.body, attributes: message.attributes });
        done += 1;
        return { kind: "ack" };
      },
      { concurrency },
    );
    stop = async () => {
      await subscription.stop();
      await transport.close();
    };
  } else {
    const client = new PubSub({ projectId: PROJECT_ID, apiEndpoint: host });
    const topicB = client.topic(queueB, { batching: { maxMilliseconds: 5 } });
    const subscription = client.subscription(queueA, {
      flowControl: { maxMessages: concurrency, allowExcessMessages: false },
    });
    subscription.on("message", (message) => {
      topicB.publishMessage({ data: message.data, attributes: message.attributes }).then(
        () => {
          done += 1;
          message.ack();
        },
        () => message.nack(),
      );
    });
    subscription.on("error", (error) => console.error(error));
    stop = async () => {
      await subscription.close();
      await client.close();
    };
  }
  await waitUntil(() => done >= messages, 300_000, `${variant}: ${done}/${messages} piped`);
  const elapsedMs = performance.now() - started;
  await stop();
  await admin.close();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ variant, elapsedMs, peakRssMb })}\n`);
}

// ---------------------------------------------------------------- parent: emulator + rounds

/** The emulator at PUBSUB_EMULATOR_HOST when set (left running), else a fresh one from lib/services.js. */
async function startEmulator() {
  if (process.env.PUBSUB_EMULATOR_HOST)
    return { host: process.env.PUBSUB_EMULATOR_HOST, stop: async () => {} };
  return startPubSubEmulator();
}

function runVariant(variant, host, messages, concurrency) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        "--child",
        `--variant=${variant}`,
        `--host=${host}`,
        `--messages=${messages}`,
        `--concurrency=${concurrency}`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    child.once("exit", (code) => {
      const line = out.trim().split("\n").pop();
      if (code !== 0 || !line) reject(new Error(`${variant} run failed (exit ${code})`));
      else resolve(JSON.parse(line));
    });
  });
}

async function main() {
  const messages = Number(arg("messages", "2000"));
  const rounds = Number(arg("rounds", "5"));
  const concurrency = Number(arg("concurrency", "32"));
  const emulator = await startEmulator();
  const results = { ours: [], raw: [] };
  try {
    await runVariant("raw", emulator.host, 200, concurrency); // warm up the emulator's JIT
    for (let round = 0; round < rounds; round++) {
      for (const variant of round % 2 === 0 ? ["ours", "raw"] : ["raw", "ours"]) {
        results[variant].push(await runVariant(variant, emulator.host, messages, concurrency));
      }
    }
  } finally {
    await emulator.stop();
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([variant, runs]) => {
      const ms = median(runs.map((r) => r.elapsedMs));
      return [
        variant,
        {
          medianMs: ms,
          msgPerSec: (messages / ms) * 1000,
          peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
          runsMs: runs.map((r) => Math.round(r.elapsedMs)),
        },
      ];
    }),
  );
  console.log(
    `pipe-through A -> handler -> publish B -> ack, ${messages} msgs, concurrency ${concurrency}, ${rounds} rounds (Pub/Sub emulator ${emulator.host})`,
  );
  console.log("| variant | median ms | msg/s | peak RSS MB | runs (ms) |");
  console.log("|---|---:|---:|---:|---|");
  for (const [variant, s] of Object.entries(summary)) {
    console.log(
      `| ${variant === "ours" ? "@asya/transport-pubsub" : "raw @google-cloud/pubsub"} | ${s.medianMs.toFixed(0)} | ${s.msgPerSec.toFixed(0)} | ${s.peakRssMb.toFixed(1)} | ${s.runsMs.join(", ")} |`,
    );
  }
  console.log(`ratio (ours / raw median time): ${(summary.ours.medianMs / summary.raw.medianMs).toFixed(2)}`);
}

if (process.argv.includes("--child")) {
  await runChild(arg("variant"), arg("host"), Number(arg("messages")), Number(arg("concurrency")));
  process.exit(0);
} else {
  await main();
}
