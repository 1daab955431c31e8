// Scenario 2: runtime overhead on the in-process memory transport.
//  a) throughput: envelopes/s through a 3-actor pipeline (no-op handler, @asya/runtime createActor)
//     vs the bare memory transport moving the same bytes through 3 queues (consume -> publish -> ack);
//  b) per-hop latency p50/p99 with one envelope in flight (handler-to-handler time);
//  c) memory: heap before/after pushing --envelopes (default 200,000; the issue asks for 1,000,000:
//     pass --envelopes=1000000, about 5 minutes here) through the runtime pipeline.
// Needs `pnpm build`. Usage:
//   node --expose-gc bench/runtime-memory.bench.js [--rounds=5] [--messages=20000]
//        [--concurrency=16] [--latency=2000] [--envelopes=200000 (use 1000000 for the full check)] [--quick]

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
  percentile,
  ratio,
} from "./lib/index.js";
import { createPipeline } from "./lib/memory-pipeline.js";

const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const MESSAGES = numberArg("messages", quick ? 5_000 : 20_000);
const CONCURRENCY = numberArg("concurrency", 16);
const LATENCY = numberArg("latency", quick ? 500 : 2_000);
const ENVELOPES = numberArg("envelopes", quick ? 50_000 : 200_000);
const STAGES = 3;
const gc = () => globalThis.gc?.();
const TITLES = {
  runtime: "@asya/runtime actors",
  baseline: "bare memory transport (bytes unchanged)",
  json: "hand-written loop (JSON.parse, advance route, JSON.stringify)",
};

heading(
  "Scenario 2 — runtime overhead on the memory transport",
  `3-actor pipeline, no-op handler (returns its payload), concurrency ${CONCURRENCY} per actor, ~200 B payload. ` +
    "Baseline: the bare memory transport moving the same bytes through 3 queues (consume -> publish -> ack) " +
    "with the same concurrency and the same feeder (at most 2048 envelopes in the pipeline); for context also a " +
    "hand-written loop that JSON-decodes, advances the route and re-encodes (the least a real service does).",
);

/** Envelopes/s of one run of a fresh `kind` pipeline ("ours", "json" or "baseline"). */
async function throughputRun(kind, warmup) {
  const p = await createPipeline(kind, { length: STAGES, concurrency: CONCURRENCY });
  const n = warmup ? Math.min(MESSAGES, 5000) : MESSAGES;
  const start = performance.now();
  await p.feed(n);
  const ms = performance.now() - start;
  await p.close();
  return (n / ms) * 1000;
}

/** Every hop latency of a latency run, as one list. */
const allHops = (r) => r.hops.flatMap((h) => [...h]);

/** Hop p50 (the interleave value) and the raw latencies of one run of a fresh `kind` pipeline. */
async function latencyRun(kind, warmup) {
  const p = await createPipeline(kind, { length: STAGES, concurrency: CONCURRENCY });
  const result = await p.latency(warmup ? 200 : LATENCY);
  await p.close();
  return { value: percentile(allHops(result), 50), result };
}

// a) throughput, interleaved
const throughput = await interleave(
  {
    runtime: ({ warmup }) => throughputRun("ours", warmup),
    json: ({ warmup }) => throughputRun("json", warmup),
    baseline: ({ warmup }) => throughputRun("baseline", warmup),
  },
  { rounds: ROUNDS, label: "mem-tp-" },
);
console.log(
  `#### Throughput (${MESSAGES} envelopes per run, ${effectiveRounds(ROUNDS)} interleaved rounds, median)\n`,
);
console.log(
  markdownTable(
    [
      { title: "variant", align: "left" },
      { title: "envelopes/s (3 hops each)" },
      { title: "hop-messages/s" },
      { title: "peak RSS" },
      { title: "all rounds (envelopes/s)", align: "left" },
    ],
    ["runtime", "baseline", "json"].map((name) => [
      TITLES[name],
      fmtInt(throughput[name].median),
      fmtInt(throughput[name].median * STAGES),
      fmtMiB(peakRssOf(`mem-tp-${name}`)),
      throughput[name].values.map(fmtInt).join(", "),
    ]),
  ),
);
console.log(
  `\n**Ratio runtime / baseline (throughput): ${ratio(throughput.runtime.median, throughput.baseline.median)}** ` +
    `(runtime cost per hop ≈ ${fmtMs(1000 / (throughput.runtime.median * STAGES) - 1000 / (throughput.baseline.median * STAGES))} more than the bare transport)\n`,
);
console.log(
  `**Ratio runtime / hand-written JSON loop (throughput): ${ratio(throughput.runtime.median, throughput.json.median)}** ` +
    `(runtime cost per hop ≈ ${fmtMs(1000 / (throughput.runtime.median * STAGES) - 1000 / (throughput.json.median * STAGES))} more)\n`,
);

// b) latency with one envelope in flight, interleaved
const latencyRuns = await interleave(
  {
    runtime: ({ warmup }) => latencyRun("ours", warmup),
    json: ({ warmup }) => latencyRun("json", warmup),
    baseline: ({ warmup }) => latencyRun("baseline", warmup),
  },
  { rounds: ROUNDS, label: "mem-lat-" },
);
const latencyRow = (name) => {
  const extras = latencyRuns[name].extras;
  const med = (f) => {
    const values = extras.map((e) => f(e.result));
    values.sort((a, b) => a - b);
    return values[values.length >> 1];
  };
  return {
    p50: med((r) => percentile(allHops(r), 50)),
    p99: med((r) => percentile(allHops(r), 99)),
    e2e50: med((r) => percentile(r.e2e, 50)),
    e2e99: med((r) => percentile(r.e2e, 99)),
  };
};
const lat = { runtime: latencyRow("runtime"), baseline: latencyRow("baseline"), json: latencyRow("json") };
console.log(
  `#### Per-hop latency (${LATENCY} envelopes one at a time, handler-to-handler, median of ${effectiveRounds(ROUNDS)} rounds)\n`,
);
console.log(
  markdownTable(
    [
      { title: "variant", align: "left" },
      { title: "hop p50" },
      { title: "hop p99" },
      { title: "end-to-end p50 (3 hops)" },
      { title: "end-to-end p99" },
    ],
    ["runtime", "baseline", "json"].map((name) => [
      TITLES[name],
      fmtMs(lat[name].p50),
      fmtMs(lat[name].p99),
      fmtMs(lat[name].e2e50),
      fmtMs(lat[name].e2e99),
    ]),
  ),
);
console.log(
  `\n**Ratio runtime / baseline (hop latency): p50 ${ratio(lat.runtime.p50, lat.baseline.p50)}, p99 ${ratio(lat.runtime.p99, lat.baseline.p99)}** (lower is better); vs the hand-written JSON loop: p50 ${ratio(lat.runtime.p50, lat.json.p50)}, p99 ${ratio(lat.runtime.p99, lat.json.p99)}\n`,
);

// c) memory over ENVELOPES envelopes through the runtime pipeline
{
  const p = await createPipeline("ours", { length: STAGES, concurrency: CONCURRENCY });
  await p.feed(20_000); // warm up JIT and pools before the "before" reading
  gc();
  gc();
  const before = process.memoryUsage();
  const checkpoints = [];
  const start = performance.now();
  await p.feed(ENVELOPES, 2048, {
    every: Math.max(1, Math.floor(ENVELOPES / 5)),
    fn: async (sent) => {
      gc();
      checkpoints.push([sent, process.memoryUsage().heapUsed]);
    },
  });
  const seconds = (performance.now() - start) / 1000;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
  const after = process.memoryUsage();
  await p.close();
  const growth = after.heapUsed - before.heapUsed;
  console.log(
    `#### Memory after ${fmtInt(ENVELOPES)} envelopes through the runtime pipeline (${seconds.toFixed(1)} s, ${fmtInt(ENVELOPES / seconds)} envelopes/s)\n`,
  );
  console.log(
    markdownTable(
      [{ title: "point", align: "left" }, { title: "heapUsed (after GC)" }, { title: "RSS" }],
      [
        ["before (after 20,000 warm-up envelopes)", fmtMiB(before.heapUsed), fmtMiB(before.rss)],
        ...checkpoints.map(([sent, heap]) => [`after ${fmtInt(sent)} sent`, fmtMiB(heap), ""]),
        [`after ${fmtInt(ENVELOPES)} (drained)`, fmtMiB(after.heapUsed), fmtMiB(after.rss)],
      ],
    ),
  );
  const flat = Math.abs(growth) < 8 * 1024 * 1024;
  console.log(
    `\nHeap before ${fmtMiB(before.heapUsed)}, after ${fmtMiB(after.heapUsed)}: growth ${fmtMiB(growth)} — ${flat ? "**flat** (< 8 MiB)" : "**NOT flat** (>= 8 MiB): leak suspected"}`,
  );
  if (!flat) process.exitCode = 1;
}

footer();
