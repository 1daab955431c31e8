import { compileFlowFile, resiliencyFor } from "@asya/flow/compiler";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Manifest {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels: Record<string, string>;
  };
  readonly spec: Record<string, unknown>;
}

/** The generated default policy of an actor (its rules inside try). */
function defaultPolicy(unit: {
  readonly resiliency?: { readonly policies?: Readonly<Record<string, unknown>> };
}) {
  return (unit.resiliency?.policies?.default ?? {}) as { onExhausted?: string[]; maxAttempts?: number };
}

import { flowSource, writeFlow } from "./helpers.js";

const TRY_FLOW = flowSource(
  [
    "  p = await inc(p);",
    "  try {",
    "    p = await fails(p);",
    "    p.tag = 'ok';",
    "  } catch {",
    "    p.tag = 'caught';",
    "  } finally {",
    "    p = await dbl(p);",
    "  }",
    "  p = await fails(p);",
    "  return p;",
  ].join("\n"),
);

describe("what asya flow compile emits", { timeout: 30_000 }, () => {
  it("a handler inside try gets an actor of its own, whose rules end in the catch router", () => {
    const compiled = compileFlowFile(writeFlow(TRY_FLOW));
    const [flow] = compiled.flows;
    const actors = flow!.actors.filter((a) => a.role === "actor").map((a) => a.name);
    const trySite = actors.find((name) => /^fails-[0-9a-f]{6}$/.test(name));
    expect(trySite).toBeDefined();
    expect(actors).toContain("fails"); // the call after the try: no rules
    expect(actors).toContain("inc");
    const unit = flow!.actors.find((a) => a.name === trySite)!;
    const onExhausted = defaultPolicy(unit).onExhausted ?? [];
    expect(defaultPolicy(unit).maxAttempts).toBe(1);
    // The catch path: a router (the catch body's code), then the finally actor, then the rest.
    expect(onExhausted).toHaveLength(1);
    expect(onExhausted[0]).toMatch(/^f-(code|catch)-[0-9a-f]{6}$/);
    expect(flow!.actors.find((a) => a.name === "fails")?.resiliency).toBeUndefined();
    expect(compiled.routersJs).toContain(
      `export async function* ${onExhausted[0]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}(payload)`,
    );
  });

  it("the user's resiliency merges with the generated rules, the user's fields winning", () => {
    const compiled = compileFlowFile(writeFlow(TRY_FLOW));
    const unit = compiled.flows[0]!.actors.find((a) => /^fails-/.test(a.name))!;
    const merged = resiliencyFor(unit, {
      actors: {
        fails: {
          resiliency: {
            actorTimeout: "10s",
            policies: { default: { maxAttempts: 3, backoff: "constant" }, slow: { maxAttempts: 2 } },
            rules: [{ errors: ["TimeoutError"], policy: "slow" }],
          },
        },
      },
    });
    const catchPath = defaultPolicy(unit).onExhausted;
    expect(merged).toEqual({
      actorTimeout: "10s",
      policies: {
        default: { maxAttempts: 3, backoff: "constant", onExhausted: catchPath },
        slow: { maxAttempts: 2, onExhausted: catchPath },
      },
      rules: [{ errors: ["TimeoutError"], policy: "slow" }],
    });
    // The user's own onExhausted wins too.
    const own = resiliencyFor(unit, {
      actors: { [unit.name]: { resiliency: { policies: { default: { onExhausted: ["x-sump"] } } } } },
    });
    expect(own?.policies?.default).toEqual({ maxAttempts: 1, onExhausted: ["x-sump"] });
  });

  it("router names survive an unrelated edit", () => {
    const base = [
      "  p = await inc(p);",
      "  if (p.n > 3) {",
      "    p = await dbl(p);",
      "  } else {",
      "    p.tag = 'small';",
      "  }",
      "  while (p.n < 10) {",
      "    p = await inc(p);",
      "  }",
      "  p.out = await Promise.all((p.items ?? []).map((i) => square(i)));",
      "  return p;",
    ];
    const names = (body: string[]) =>
      new Set(compileFlowFile(writeFlow(flowSource(body.join("\n")))).flows[0]!.actors.map((a) => a.name));
    const before = names(base);
    const edited = [...base];
    edited[2] = "    p = await dbl(p);\n    p = await inc(p);"; // another call in one branch
    const after = names(edited);
    const kept = [...before].filter((name) => after.has(name));
    expect(before.size).toBeGreaterThanOrEqual(6);
    expect(kept.length).toBe(before.size);
  });

  it("manifests: one AsyncActor per actor, router and aggregator, labelled, with handler paths", () => {
    const file = writeFlow(
      flowSource(
        "  p = await inc(p);\n  p.out = await Promise.all((p.items ?? []).map((i) => square(i)));\n  return p;",
      ),
    );
    const compiled = compileFlowFile(file, {
      config: { image: "ghcr.io/acme/flows:2", namespace: "team", actors: { inc: { concurrency: 4 } } },
    });
    const manifests = [...compiled.manifests.values()].map((text) => parse(text) as Manifest);
    const byName = new Map(manifests.map((m) => [m.metadata.name, m]));
    const start = byName.get("start-f")!;
    expect(start.metadata.labels).toEqual({ "asya.sh/flow": "f", "asya.sh/role": "start" });
    expect(start.spec).toMatchObject({
      actor: "start-f",
      image: "ghcr.io/acme/flows:2",
      handler: "./asya-flow/routers.js#startF",
    });
    const inc = byName.get("inc")!;
    expect(inc.metadata.namespace).toBe("team");
    expect(inc.spec).toMatchObject({ handler: "./handlers.ts#inc", concurrency: 4 });
    expect(inc.spec.transport).toEqual({
      type: "rabbitmq",
      rabbitmq: { urlSecretRef: { name: "rabbitmq-url", key: "url" } },
    });
    const fanIn = manifests.find((m) => m.metadata.labels["asya.sh/role"] === "fanin")!;
    expect(fanIn.spec.crew).toBe("fan-in");
    expect(fanIn.spec.handler).toBeUndefined();
  });

  it("an SQS transport needs its settings block", () => {
    const file = writeFlow(flowSource("  p = await inc(p);\n  return p;"));
    expect(() => compileFlowFile(file, { config: { transport: "sqs" } })).toThrow(
      /give the whole transport block in the config file/,
    );
  });

  it("graph.json and flow.mmd show every actor, router and path", () => {
    const compiled = compileFlowFile(writeFlow(TRY_FLOW));
    const graph = compiled.flows[0]!.graph;
    expect(graph.entry).toBe("start-f");
    const ids = new Set(graph.nodes.map((n) => n.id));
    for (const actor of compiled.flows[0]!.actors) expect(ids.has(actor.name)).toBe(true);
    expect(ids.has("x-sink")).toBe(true);
    expect(graph.edges.some((e) => e.kind === "error" && /^fails-/.test(e.from))).toBe(true);
    expect(graph.nodes.find((n) => n.id === "inc")).toMatchObject({
      kind: "actor",
      handler: "./handlers.ts#inc",
    });
    expect(compiled.mermaid.split("\n")[0]).toBe("flowchart TD");
    expect(compiled.mermaid).toContain('["inc"]');
    expect(compiled.mermaid).toMatch(/-\.->\|"error"\|/);
  });

  it("routers.js imports nothing and says where each router comes from", () => {
    const compiled = compileFlowFile(writeFlow(TRY_FLOW));
    expect(compiled.routersJs).not.toMatch(/^\s*import\s/m);
    expect(compiled.routersJs).toMatch(/\/\*\* start-f: route \(flow\.ts:4\)\. \*\//);
    expect(compiled.routersDts).toContain(
      "export declare function startF(payload: unknown): AsyncGenerator<unknown, void, unknown>;",
    );
  });

  it("a comment renames an actor", () => {
    const file = writeFlow(flowSource("  p = await inc(p); // @asya actor=increment\n  return p;"));
    expect(compileFlowFile(file).flows[0]!.actors.map((a) => a.name)).toContain("increment");
  });
});
