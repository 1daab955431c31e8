// Scenario 6: workload shapes on the in-process memory transport (runtime vs bare transport):
//  a) fan-out: one envelope whose handler yields 10,000 payloads -> 10,000 children at the sink;
//     baseline: a raw consumer that parses the parent and publishes 10,000 child envelopes
//     (same ids/parent_id, one awaited publish each, as the runtime does) before acking;
//  b) a 20-actor pipeline (no-op handlers) vs the bare transport through 20 queues;
//  c) time per envelope vs route length (1, 5, 20 actors) and payload size (200 B, 4 KiB, 64 KiB).
// Needs `pnpm build`. Usage: node --expose-gc bench/shapes.bench.js [--rounds=5] [--children=10000] [--quick]

import { createEnvelope, encodeEnvelope, queueName, SINK_ACTOR } from "@asya/envelope";
import { createActor, createJsonLogger } from "@asya/runtime";

import { createMemoryBroker, createMemoryTransport } from "@asya/transport";
import {
  effectiveRounds,
  flag,
  fmtInt,
  fmtMiB,
  fmtMs,
  footer,
  heading,
  interleave,
  markdownTable,
  numberArg,
  peakRssOf,
  ratio,
  waitUntil,
} from "./lib/index.js";
import { createPipeline } from "./lib/memory-pipeline.js";

// createActor's defaults as users get them: metrics on, the JSON logger at level info (lines
// dropped here instead of written to stderr, so the bench output stays readable).
const defaultLevelLogger = createJsonLogger({ write: () => undefined });

const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const CHILDREN = numberArg("children", 10_000);
const PIPE20 = numberArg("messages", quick ? 1000 : 4000);
const CELL_MS = numberArg("cell-ms", quick ? 150 : 400);
const ACK = { kind: "ack" };

heading(
  "Scenario 6 — shapes: fan-out, a 20-actor pipeline, route length x payload size",
  "All on the in-process memory transport; runtime = @asya/runtime actors with no-op handlers " +
    "(concurrency 16), baseline = bare memory transport consumers moving the same bytes.",
);

// a) fan-out
let fanRun = 0;
async function fanOut(kind) {
  fanRun += 1;
  const transport = createMemoryTransport({ broker: createMemoryBroker() });
  const actorName = `fan-${fanRun}`;
  const source = queueName(actorName);
  const sink = queueName(SINK_ACTOR);
  await transport.ensureQueue(source);
  await transport.ensureQueue(sink);
  let seen = 0;
  const sinkSub = await transport.consume(
    sink,
    () => {
      seen += 1;
      return ACK;
    },
    { concurrency: 64 },
  );
  let actor;
  let sub;
  if (kind === "runtime") {
    actor = createActor({
      name: actorName,
      transport,
      logger: defaultLevelLogger,
      handler: function* (payload) {
        for (let i = 0; i < CHILDREN; i++) yield { i, of: payload.n };
      },
    });
    await actor.start();
  } else {
    sub = await transport.consume(source, async (message) => {
      const parent = JSON.parse(new TextDecoder().decode(message.body));
      const { route } = parent;
      for (let i = 0; i < CHILDREN; i++) {
        const child = {
          ...parent,
          id: i === 0 ? parent.id : `${parent.id}-${i}`,
          route: { prev: [...route.prev, route.curr], curr: "", next: [] },
          payload: { i, of: parent.payload.n },
        };
        if (i > 0) child.parent_id = parent.id;
        await transport.publish(sink, { body: new TextEncoder().encode(JSON.stringify(child)) });
      }
      return ACK;
    });
  }
  const body = encodeEnvelope(
    createEnvelope({
      id: `parent-${fanRun}`,
      route: { prev: [], curr: actorName, next: [] },
      payload: { n: 1 },
    }),
  );
  const start = performance.now();
  await transport.publish(source, { body });
  await waitUntil(() => seen >= CHILDREN, { timeoutMs: 120_000, everyMs: 1, what: "all children" });
  const ms = performance.now() - start;
  await actor?.stop({ graceMs: 1000 });
  await sub?.stop();
  await sinkSub.stop();
  await transport.close();
  return ms;
}
const fan = await interleave(
  { runtime: () => fanOut("runtime"), baseline: () => fanOut("baseline") },
  { rounds: ROUNDS, label: "fan-" },
);
console.log(
  `#### a) Fan-out of ${fmtInt(CHILDREN)} children from one envelope (median of ${effectiveRounds(ROUNDS)} interleaved rounds)\n`,
);
console.log(
  markdownTable(
    [
      { title: "variant", align: "left" },
      { title: "total (parent in -> last child at sink)" },
      { title: "per child" },
      { title: "peak RSS" },
    ],
    ["runtime", "baseline"].map((name) => [
      name === "runtime" ? "@asya/runtime (generator handler)" : "bare transport loop",
      fmtMs(fan[name].median),
      fmtMs(fan[name].median / CHILDREN),
      fmtMiB(peakRssOf(`fan-${name}`)),
    ]),
  ),
);
console.log(
  `\n**Ratio runtime / baseline (time): ${ratio(fan.runtime.median, fan.baseline.median)}** (lower is better)\n`,
);

// b) + c) pipelines
async function pipelineRate(kind, length, payloadBytes, count) {
  const p = await createPipeline(kind === "runtime" ? "ours" : "baseline", {
    length,
    payloadBytes,
    concurrency: 16,
  });
  const start = performance.now();
  await p.feed(count);
  const ms = performance.now() - start;
  await p.close();
  return ms / count; // ms per envelope (end to end, pipelined)
}

const pipe20 = await interleave(
  {
    runtime: () => pipelineRate("runtime", 20, 200, PIPE20),
    baseline: () => pipelineRate("baseline", 20, 200, PIPE20),
  },
  { rounds: ROUNDS, label: "pipe20-" },
);
console.log(
  `#### b) 20-actor pipeline, ${fmtInt(PIPE20)} envelopes per run, ~200 B payload (median of ${effectiveRounds(ROUNDS)} rounds)\n`,
);
console.log(
  markdownTable(
    [
      { title: "variant", align: "left" },
      { title: "envelopes/s through all 20" },
      { title: "time per envelope" },
      { title: "time per hop" },
      { title: "peak RSS" },
    ],
    ["runtime", "baseline"].map((name) => [
      name === "runtime" ? "@asya/runtime actors" : "bare memory transport",
      fmtInt(1000 / pipe20[name].median),
      fmtMs(pipe20[name].median),
      fmtMs(pipe20[name].median / 20),
      fmtMiB(peakRssOf(`pipe20-${name}`)),
    ]),
  ),
);
console.log(
  `\n**Ratio runtime / baseline (throughput): ${ratio(pipe20.baseline.median, pipe20.runtime.median)}**\n`,
);

const lengths = [1, 5, 20];
const sizes = [
  ["200 B", 200],
  ["4 KiB", 4096],
  ["64 KiB", 65536],
];
const cells = [];
for (const [sizeLabel, bytes] of sizes) {
  for (const length of lengths) {
    // Calibrate the count so one runtime run takes about CELL_MS.
    const probe = await pipelineRate("runtime", length, bytes, 50);
    const count = Math.max(50, Math.min(20_000, Math.round(CELL_MS / probe)));
    const r = await interleave(
      {
        runtime: () => pipelineRate("runtime", length, bytes, count),
        baseline: () => pipelineRate("baseline", length, bytes, count),
      },
      { rounds: ROUNDS, warmup: 0, label: `cell-${length}-${bytes}-` },
    );
    cells.push({ sizeLabel, length, count, runtime: r.runtime.median, baseline: r.baseline.median });
  }
}
console.log(
  `#### c) Time per envelope (pipelined, concurrency 16) vs route length and payload size (median of ${effectiveRounds(ROUNDS)} rounds per cell)\n`,
);
console.log(
  markdownTable(
    [
      { title: "payload", align: "left" },
      { title: "route length" },
      { title: "envelopes/run" },
      { title: "runtime per envelope" },
      { title: "runtime per hop" },
      { title: "baseline per envelope" },
      { title: "ratio runtime/baseline (time)" },
    ],
    cells.map((c) => [
      c.sizeLabel,
      c.length,
      fmtInt(c.count),
      fmtMs(c.runtime),
      fmtMs(c.runtime / c.length),
      fmtMs(c.baseline),
      ratio(c.runtime, c.baseline),
    ]),
  ),
);
footer();
