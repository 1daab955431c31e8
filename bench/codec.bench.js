// Codec micro-benchmark: parse + validate + advance + serialize with @asya/envelope vs bare
// JSON.parse + JSON.stringify of the same body, in the same process, interleaved (A B A B ...) so
// that CPU frequency drift and GC hit both sides alike. Run `pnpm build` first.
//   node bench/codec.bench.js [--rounds=N] [--ms=N]

import { advanceRoute, parseEnvelope, serializeEnvelope } from "@asya/envelope";

const arg = (name, fallback) => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
};
const ROUNDS = arg("rounds", 7);
const SLICE_MS = arg("ms", 250);

/** A payload whose JSON is about `bytes` long: realistic nested records, not one big string. */
function payloadOf(bytes) {
  const items = [];
  const payload = { text: "Hello world", lang: "en", items };
  let i = 0;
  while (JSON.stringify(payload).length < bytes - 90) {
    items.push({
      id: i,
      name: `item-${i}`,
      score: ((i * 7919) % 1000) / 1000,
      tags: ["a", "b"],
      ok: i % 2 === 0,
    });
    i += 1;
  }
  payload.note = "x".repeat(Math.max(0, bytes - JSON.stringify(payload).length - 10));
  return payload;
}

function body(payloadBytes) {
  return JSON.stringify({
    id: "0b6f5e1c-3a8e-4d2b-9b1f-2f8e7c1d4a90",
    route: { prev: ["prep"], curr: "infer", next: ["post", "store"] },
    headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", priority: "high" },
    status: {
      phase: "processing",
      actor: "infer",
      attempt: 1,
      max_attempts: 3,
      created_at: "2026-11-24T10:00:00Z",
      updated_at: "2026-11-24T10:00:02Z",
    },
    payload: payloadOf(payloadBytes),
  });
}

let sink = 0;
const ours = (text) => {
  sink += serializeEnvelope(advanceRoute(parseEnvelope(text))).length;
};
const baseline = (text) => {
  sink += JSON.stringify(JSON.parse(text)).length;
};

/** Runs `fn` for about SLICE_MS and returns ops/s. */
function measure(fn, text) {
  let ops = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(SLICE_MS) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn(text);
    ops += 16;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - start) / 1e9);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString("en-US");

const sizes = [
  ["200 B", 200],
  ["1 KiB", 1024],
  ["64 KiB", 64 * 1024],
];
const rows = [];
for (const [label, bytes] of sizes) {
  const text = body(bytes);
  // Sanity: the codec's output must equal the baseline's apart from the route.
  const expected = JSON.parse(text);
  expected.route = { prev: ["prep", "infer"], curr: "post", next: ["store"] };
  if (serializeEnvelope(advanceRoute(parseEnvelope(text))) !== JSON.stringify(expected)) {
    throw new Error("codec output differs from the expected envelope");
  }
  measure(ours, text); // warm-up both
  measure(baseline, text);
  const a = [];
  const b = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(measure(ours, text));
    b.push(measure(baseline, text));
  }
  rows.push({ label, envelopeBytes: Buffer.byteLength(text), ours: median(a), base: median(b) });
}

console.log(
  `Codec: parse+validate+advance+serialize vs JSON.parse+JSON.stringify (Node ${process.version}, ${ROUNDS} interleaved rounds of ${SLICE_MS} ms, median)\n`,
);
console.log("| payload | envelope bytes | @asya/envelope ops/s | baseline ops/s | ratio (ours/baseline) |");
console.log("|---|---:|---:|---:|---:|");
for (const row of rows) {
  console.log(
    `| ${row.label} | ${row.envelopeBytes} | ${fmt(row.ours)} | ${fmt(row.base)} | ${(row.ours / row.base).toFixed(2)} |`,
  );
}
console.log(`\nPeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MiB${sink === 0 ? " " : ""}`);
