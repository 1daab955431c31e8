// Scenario 8: latency of one task through the MCP and A2A front doors vs the mesh API alone.
//  mesh API: POST /mesh?tool=abc, then GET /mesh/{id}/events until the final status;
//  MCP:      tools/call abc with the official client (one session, a progress token);
//  A2A:      SendMessage (blocking) with the official client, skill abc.
// The same 3-actor pipeline (no-op handlers) on the memory transport, one task in flight, all in
// this process. Needs `pnpm build`.
//   node --expose-gc bench/front-doors.bench.js [--rounds=5] [--tasks=200] [--quick]

import { Role } from "@a2a-js/sdk";
import { ClientFactory } from "@a2a-js/sdk/client";
import { createGateway, parseRegistry } from "@asya/gateway";
import { createActor, createMemoryStore, createSinkActor, silentLogger } from "@asya/runtime";
import { createMemoryTransport } from "@asya/transport";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
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
const TASKS = numberArg("tasks", quick ? 60 : 200);
const ROUTE = ["a", "b", "c"];
const REGISTRY = `tools:\n  - name: abc\n    route: [${ROUTE.join(", ")}]\nagents:\n  - name: abc\n    route: [${ROUTE.join(", ")}]\n`;

heading(
  "Scenario 8 — one task through MCP and A2A vs the mesh API alone",
  `3-actor pipeline (no-op handlers) on the memory transport, one task in flight, ${TASKS} tasks per run. ` +
    "Mesh API: HTTP create for a registered tool, then its SSE stream to the final status. MCP: `tools/call` " +
    "with the official `@modelcontextprotocol/sdk` client over Streamable HTTP (one session, progress token). " +
    "A2A: blocking `SendMessage` with the official `@a2a-js/sdk` client. Gateway, actors and clients in this process.",
);

async function pipeline() {
  const transport = createMemoryTransport();
  const registry = parseRegistry(REGISTRY);
  const gateway = await createGateway({ transport, port: 0, internalPort: 0, registry: () => registry });
  const reporting = { gateway: { url: gateway.internalUrl } };
  const actors = [
    ...ROUTE.map((name) =>
      createActor({ name, transport, logger: silentLogger, handler: (p) => p, ...reporting }),
    ),
    createSinkActor({ transport, store: createMemoryStore(), logger: silentLogger, ...reporting }),
  ];
  for (const actor of actors) await actor.start();
  const done = async () => {
    for (const actor of actors) await actor.stop({ graceMs: 100 });
    await gateway.close();
    await transport.close();
  };
  return { gateway, done };
}

const payload = (i) => ({ i, text: "x".repeat(200) });

async function variant(kind) {
  const p = await pipeline();
  const base = p.gateway.url;
  let call;
  let close = async () => undefined;
  if (kind === "mesh") {
    call = async (i) => {
      const created = await fetch(`${base}/api/v1/mesh?tool=abc`, {
        method: "POST",
        body: JSON.stringify({ payload: payload(i) }),
      });
      const { id } = await created.json();
      await untilFinal(await fetch(`${base}/api/v1/mesh/${id}/events`));
    };
  } else if (kind === "mcp") {
    const client = new Client({ name: "bench", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    close = () => client.close();
    call = async (i) => {
      const result = await client.callTool({ name: "abc", arguments: payload(i) }, undefined, {
        onprogress: () => undefined,
      });
      if (result.isError) throw new Error(JSON.stringify(result.content));
    };
  } else {
    const client = await new ClientFactory().createFromUrl(base);
    call = async (i) => {
      const task = await client.sendMessage({
        tenant: "",
        message: {
          role: Role.ROLE_USER,
          messageId: crypto.randomUUID(),
          contextId: "",
          taskId: "",
          parts: [
            {
              content: { $case: "data", value: payload(i) },
              metadata: undefined,
              filename: "",
              mediaType: "",
            },
          ],
          metadata: {},
          extensions: [],
          referenceTaskIds: [],
        },
        configuration: undefined,
        metadata: {},
      });
      if (task.status?.state !== 3) throw new Error(`A2A task ended in state ${task.status?.state}`);
    };
  }
  const latencies = [];
  try {
    for (let i = 0; i < TASKS; i++) {
      const start = performance.now();
      await call(i);
      latencies.push(performance.now() - start);
    }
  } finally {
    await close();
    await p.done();
  }
  latencies.sort((a, b) => a - b);
  return { value: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const results = await interleave(
  { mesh: () => variant("mesh"), mcp: () => variant("mcp"), a2a: () => variant("a2a") },
  { rounds: ROUNDS, label: "fd-" },
);
const p99 = (name) => middleOfRounds(results[name], "p99");
const TITLES = {
  mesh: "mesh API (HTTP create + SSE to the final)",
  mcp: "MCP tools/call (official client, Streamable HTTP)",
  a2a: "A2A SendMessage, blocking (official client)",
};
console.log(
  markdownTable(
    [
      { title: "front door", align: "left" },
      { title: "p50" },
      { title: "p99" },
      { title: "peak RSS" },
      { title: "all rounds p50", align: "left" },
    ],
    ["mesh", "mcp", "a2a"].map((name) => [
      TITLES[name],
      fmtMs(results[name].median),
      fmtMs(p99(name)),
      fmtMiB(peakRssOf(`fd-${name}`)),
      results[name].values.map((v) => fmtMs(v)).join(", "),
    ]),
  ),
);
for (const name of ["mcp", "a2a"]) {
  console.log(
    `\n**Ratio ${name.toUpperCase()} / mesh API (p50 latency): ${ratio(results[name].median, results.mesh.median)}** (adds ${fmtMs(results[name].median - results.mesh.median)} per task)`,
  );
}
footer();
