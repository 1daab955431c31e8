// Scenario 7: end-to-end latency of a 3-actor pipeline through the gateway vs fed directly.
//  direct:  publish the envelope to the first actor's queue, wait for x-sink to store the result;
//  gateway: POST /mesh?tool=... (the same route), follow GET /mesh/{id}/events until the final
//           status (actors report running + the final through the internal listener).
// One task in flight at a time, memory transport, everything in this process. Needs `pnpm build`.
//   node --expose-gc bench/gateway.bench.js [--rounds=5] [--tasks=300] [--quick]

import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createGateway, parseRegistry } from "@asya/gateway";
import { createActor, createMemoryStore, createSinkActor, silentLogger } from "@asya/runtime";
import { createMemoryTransport } from "@asya/transport";
import {
  flag,
  fmtMiB,
  fmtMs,
  footer,
  heading,
  interleave,
  markdownTable,
  middleOfRounds,
  numberArg,
  peakRssOf,
  percentile,
  ratio,
  untilFinal,
} from "./lib/index.js";

const quick = flag("quick");
const ROUNDS = numberArg("rounds", 5);
const TASKS = numberArg("tasks", quick ? 100 : 300);
const ROUTE = ["a", "b", "c"];

heading(
  "Scenario 7 — end-to-end latency through the gateway vs fed directly",
  `3-actor pipeline (no-op handlers) on the memory transport, one task in flight, ${TASKS} tasks per run. ` +
    "Direct: publish to the first queue, wait for x-sink's store. Gateway: create the task over HTTP for a " +
    "registered tool with the same route, read its SSE stream to the final status (actors report `running` " +
    "and x-sink the durable final to the internal listener). Both in this process, so the gateway's cost " +
    "(HTTP create, reports, SSE) is what the ratio shows.",
);

async function pipeline(withGateway) {
  const transport = createMemoryTransport();
  const store = createMemoryStore();
  const gateway = withGateway
    ? await createGateway({
        transport,
        port: 0,
        internalPort: 0,
        registry: () => parseRegistry(`tools:\n  - name: abc\n    route: [${ROUTE.join(", ")}]\n`),
      })
    : undefined;
  const reporting = gateway === undefined ? {} : { gateway: { url: gateway.internalUrl } };
  const actors = [
    ...ROUTE.map((name) =>
      createActor({ name, transport, logger: silentLogger, handler: (p) => p, ...reporting }),
    ),
    createSinkActor({ transport, store, logger: silentLogger, ...reporting }),
  ];
  for (const actor of actors) await actor.start();
  const done = async () => {
    for (const actor of actors) await actor.stop({ graceMs: 100 });
    await gateway?.close();
    await transport.close();
  };
  return { transport, store, gateway, done };
}

async function waitStored(store, count) {
  while (store.envelopes.length < count) await new Promise((resolve) => setImmediate(resolve));
}

async function run(withGateway) {
  const p = await pipeline(withGateway);
  const latencies = [];
  try {
    const api = p.gateway === undefined ? "" : `${p.gateway.url}/api/v1`;
    for (let i = 0; i < TASKS; i++) {
      const start = performance.now();
      if (p.gateway === undefined) {
        const envelope = createEnvelope({ route: ROUTE, payload: { i, text: "x".repeat(200) } });
        await p.transport.publish("asya-a", { body: encodeEnvelope(envelope) });
        await waitStored(p.store, i + 1);
      } else {
        const created = await fetch(`${api}/mesh?tool=abc`, {
          method: "POST",
          body: JSON.stringify({ payload: { i, text: "x".repeat(200) } }),
        });
        const { id } = await created.json();
        await untilFinal(await fetch(`${api}/mesh/${id}/events`));
      }
      latencies.push(performance.now() - start);
    }
  } finally {
    await p.done();
  }
  latencies.sort((a, b) => a - b);
  return { value: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const results = await interleave(
  { gateway: () => run(true), direct: () => run(false) },
  { rounds: ROUNDS, label: "gw-" },
);
const p99 = (name) => middleOfRounds(results[name], "p99");
console.log(
  markdownTable(
    [
      { title: "variant", align: "left" },
      { title: "end-to-end p50" },
      { title: "end-to-end p99" },
      { title: "peak RSS" },
      { title: "all rounds p50", align: "left" },
    ],
    ["gateway", "direct"].map((name) => [
      name === "gateway"
        ? "through the gateway (HTTP create + SSE to the final)"
        : "fed directly (publish, x-sink store)",
      fmtMs(results[name].median),
      fmtMs(p99(name)),
      fmtMiB(peakRssOf(`gw-${name}`)),
      results[name].values.map((v) => fmtMs(v)).join(", "),
    ]),
  ),
);
console.log(
  `\n**Ratio gateway / direct (p50 latency): ${ratio(results.gateway.median, results.direct.median)}** (above 1 = slower; the gateway adds ${fmtMs(results.gateway.median - results.direct.median)} per task)`,
);
footer();
