// Scenario 9: the socket hop of a handler in another process (SPEC section 9) vs the same handler
// in process. A 2-actor pipeline on a private RabbitMQ node (`--transport=rabbitmq`, the default) or
// the memory transport (`--transport=memory`: the hop alone): actor `a` runs the handler (in
// process, or behind the socket: our `asya serve-handler` with a JS handler, or the Python test
// runtime, 1 or 4 processes), actor `b` counts arrivals.
//  - latency: one envelope at a time (concurrency 1), p50/p99 of publish -> arrival at b;
//  - throughput: N envelopes at concurrency 16, messages per second.
// Needs `pnpm build` and python3.
//   node --expose-gc bench/remote-handler.bench.js [--transport=rabbitmq|memory] [--rounds=5] [--messages=1000] [--quick]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { createActor, silentLogger } from "@asya/runtime";
import { createSocketHandler } from "@asya/runtime/remote";
import { createMemoryTransport } from "@asya/transport";
import { createRabbitMqTransport } from "@asya/transport-rabbitmq";
import {
  flag,
  fmtInt,
  fmtMs,
  footer,
  heading,
  interleave,
  markdownTable,
  middleOfRounds,
  numberArg,
  percentile,
  ratio,
  startRabbitMqNode,
  stringArg,
} from "./lib/index.js";

const ROOT = new URL("..", import.meta.url).pathname;
const quick = flag("quick");
const TRANSPORT = stringArg("transport", "rabbitmq");
if (TRANSPORT !== "rabbitmq" && TRANSPORT !== "memory")
  throw new Error("--transport must be rabbitmq or memory");
const broker = TRANSPORT === "rabbitmq" ? await startRabbitMqNode() : undefined;
let runs = 0;
const ROUNDS = numberArg("rounds", 5);
const MESSAGES = numberArg("messages", quick ? 300 : 1000);
const LATENCY_CALLS = quick ? 100 : 300;

heading(
  "Scenario 9 — a handler behind the socket (SPEC section 9) vs in process",
  `2-actor pipeline on the memory transport; actor a's handler returns its payload. Latency: ${LATENCY_CALLS} ` +
    `envelopes one at a time (publish -> arrival at b). Throughput: ${MESSAGES} envelopes at concurrency 16. ` +
    "Socket variants: our `asya serve-handler` (a JS handler, one process) and the Python runtime of the tests " +
    "(one request at a time per process, like Asya's), 1 and 4 processes behind the actor.",
);

/** Starts `count` runtime processes; resolves with their sockets and a stop function. */
async function runtimes(kind, count) {
  const dirs = [];
  const children = [];
  for (let i = 0; i < count; i++) {
    const dir = mkdtempSync(join(tmpdir(), "asya-bench-rt-"));
    dirs.push(dir);
    const child =
      kind === "python"
        ? spawn("python3", [join(ROOT, "test/remote/fixtures/asya_test_runtime.py")], {
            env: {
              PATH: process.env.PATH,
              ASYA_SOCKET_PATH: join(dir, "asya-runtime.sock"),
              ASYA_HANDLER: "py_handlers:dispatch",
            },
            stdio: "ignore",
          })
        : spawn(process.execPath, [join(ROOT, "packages/cli/bin/asya.js"), "serve-handler"], {
            env: {
              PATH: process.env.PATH,
              ASYA_HANDLER: `${join(ROOT, "test/remote/fixtures/js-handlers.js")}#shout`,
              ASYA_SOCKET_DIR: dir,
              ASYA_LOG_LEVEL: "silent",
            },
            stdio: "ignore",
          });
    children.push(child);
  }
  for (const dir of dirs) {
    while (
      !(await access(join(dir, "runtime-ready")).then(
        () => true,
        () => false,
      ))
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return {
    sockets: dirs.map((dir) => join(dir, "asya-runtime.sock")),
    stop: async () => {
      for (const child of children) child.kill("SIGKILL");
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function pipeline(handler, concurrency) {
  const transport =
    broker === undefined
      ? createMemoryTransport()
      : createRabbitMqTransport({ url: broker.url, prefetch: concurrency });
  // Fresh queues per run: nothing left over from the previous one.
  const namespace = `rh${process.pid}x${runs++}`;
  const arrivals = new Map();
  let count = 0;
  const a = createActor({ name: "a", namespace, transport, logger: silentLogger, concurrency, handler });
  const b = createActor({
    name: "b",
    namespace,
    transport,
    logger: silentLogger,
    concurrency: 64,
    handler: (p) => {
      arrivals.get(p.i)?.();
      count++;
      return undefined;
    },
  });
  await a.start();
  await b.start();
  return {
    send: (i) =>
      transport.publish(queueName("a", namespace), {
        body: encodeEnvelope(
          createEnvelope({ route: ["a", "b"], payload: { case: "slow", seconds: 0, i, text: "hello" } }),
        ),
      }),
    arrived: (i) => new Promise((resolve) => arrivals.set(i, resolve)),
    count: () => count,
    stop: async () => {
      await a.stop({ graceMs: 100 });
      await b.stop({ graceMs: 100 });
      await transport.close();
    },
  };
}

const VARIANTS = {
  "in process": { kind: undefined, processes: 0 },
  "serve-handler (JS), 1 process": { kind: "js", processes: 1 },
  "Python runtime, 1 process": { kind: "python", processes: 1 },
  "Python runtime, 4 processes": { kind: "python", processes: 4 },
};

async function measure(variant, mode) {
  const rt = variant.kind === undefined ? undefined : await runtimes(variant.kind, variant.processes);
  // The Python dispatcher's "slow" case with 0 s returns its payload, as the other handlers do.
  const handler = rt === undefined ? (p) => p : createSocketHandler({ socketPath: rt.sockets });
  const p = await pipeline(handler, mode === "latency" ? 1 : 16);
  try {
    if (mode === "latency") {
      const latencies = [];
      for (let i = 0; i < LATENCY_CALLS; i++) {
        const arrived = p.arrived(i);
        const start = performance.now();
        await p.send(i);
        await arrived;
        latencies.push(performance.now() - start);
      }
      latencies.sort((x, y) => x - y);
      return { value: percentile(latencies, 50), p99: percentile(latencies, 99) };
    }
    const start = performance.now();
    for (let i = 0; i < MESSAGES; i++) await p.send(i);
    while (p.count() < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 2));
    return MESSAGES / ((performance.now() - start) / 1000);
  } finally {
    await p.stop();
    await rt?.stop();
  }
}

const names = Object.keys(VARIANTS);
const latency = await interleave(
  Object.fromEntries(names.map((n) => [n, () => measure(VARIANTS[n], "latency")])),
  {
    rounds: ROUNDS,
    label: "rh-lat-",
  },
);
const throughput = await interleave(
  Object.fromEntries(names.map((n) => [n, () => measure(VARIANTS[n], "throughput")])),
  { rounds: ROUNDS, label: "rh-tp-" },
);
const p99 = (name) => middleOfRounds(latency[name], "p99");
console.log(
  markdownTable(
    [
      { title: "handler", align: "left" },
      { title: "latency p50 (c=1)" },
      { title: "latency p99 (c=1)" },
      { title: "hop vs in process (p50)" },
      { title: "msg/s (c=16)" },
      { title: "vs in process" },
    ],
    names.map((name) => [
      name,
      fmtMs(latency[name].median),
      fmtMs(p99(name)),
      name === "in process" ? "" : `+${fmtMs(latency[name].median - latency["in process"].median)}`,
      fmtInt(throughput[name].median),
      name === "in process" ? "" : ratio(throughput[name].median, throughput["in process"].median),
    ]),
  ),
);
await broker?.stop();
footer();
