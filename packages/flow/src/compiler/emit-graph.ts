import { relative } from "node:path";
import type { SourceLocation } from "./ir.js";
import { type Continuation, decisionOf, type LoweredFlow, routeOf } from "./lower.js";

/** A node of graph.json: an actor, a router, a fan-in aggregator or a crew actor. */
export interface FlowGraphNode {
  readonly id: string;
  readonly kind: "router" | "actor" | "fanin" | "crew";
  /** For routers: start, if, while, code, fan-out, pause, throw, catch. */
  readonly router?: string;
  readonly label: string;
  /** For actors: `<module>#<export>` relative to the flow file. */
  readonly handler?: string;
  readonly loc?: SourceLocation;
}

/** An edge of graph.json: the route may go from `from` to `to` (under `condition`). */
export interface FlowGraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: "next" | "error" | "slice" | "loop";
  readonly condition?: string;
}

/** graph.json of one flow. */
export interface FlowGraph {
  readonly flow: string;
  readonly entry: string;
  readonly source: string;
  readonly nodes: readonly FlowGraphNode[];
  readonly edges: readonly FlowGraphEdge[];
}

/** The graph of a lowered flow: nodes for every actor and router, edges for every path. */
export function buildGraph(lowered: LoweredFlow, baseDir: string): FlowGraph {
  const nodes = new Map<string, FlowGraphNode>();
  const edges = new Map<string, FlowGraphEdge>();
  const rel = (loc: SourceLocation): SourceLocation => ({ ...loc, file: relative(baseDir, loc.file) });
  const crew = (id: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind: "crew", label: id });
  };
  for (const router of lowered.routers) {
    const decision = decisionOf(router);
    const label =
      decision.kind === "branch"
        ? `if ${decision.condition.source}`
        : decision.kind === "loop"
          ? `while ${decision.condition?.source ?? "true"}`
          : router.kind;
    nodes.set(router.name, {
      id: router.name,
      kind: "router",
      router: router.kind,
      label,
      loc: rel(router.loc),
    });
  }
  for (const actor of lowered.actors) {
    nodes.set(actor.name, {
      id: actor.name,
      kind: "actor",
      label: actor.handler.exportName,
      handler: `${actor.handler.packageName ?? `./${relative(baseDir, actor.handler.moduleFile)}`}#${actor.handler.exportName}`,
    });
  }
  for (const aggregator of lowered.aggregators) {
    nodes.set(aggregator.name, {
      id: aggregator.name,
      kind: "fanin",
      label: "fan-in",
      loc: rel(aggregator.loc),
    });
  }
  const add = (edge: FlowGraphEdge) => {
    const key = `${edge.from}>${edge.to}>${edge.kind}>${edge.condition ?? ""}`;
    if (!edges.has(key)) edges.set(key, edge);
  };
  const chain = (from: string, route: readonly string[], kind: FlowGraphEdge["kind"], condition?: string) => {
    const path = route.length === 0 ? ["x-sink"] : [...route];
    let previous = from;
    for (const [index, step] of path.entries()) {
      if (!nodes.has(step)) crew(step);
      add({
        from: previous,
        to: step,
        kind: index === 0 ? kind : "next",
        ...(index === 0 && condition !== undefined ? { condition } : {}),
      });
      previous = step;
    }
    // A route that ends after its last actor goes on to x-sink.
    const last = path[path.length - 1] as string;
    if (nodes.get(last)?.kind === "actor") {
      crew("x-sink");
      add({ from: last, to: "x-sink", kind: "next" });
    }
  };
  const follow = (
    from: string,
    continuation: Continuation,
    kind: FlowGraphEdge["kind"],
    condition?: string,
  ) => chain(from, routeOf(continuation), kind, condition);
  for (const router of lowered.routers) {
    const decision = decisionOf(router);
    switch (decision.kind) {
      case "goto":
        follow(router.name, decision.to, "next");
        break;
      case "branch":
        follow(router.name, decision.yes, "next", decision.condition.source);
        follow(router.name, decision.no, "next", `not (${decision.condition.source})`);
        break;
      case "loop":
        follow(router.name, decision.body, "loop", decision.condition?.source ?? "true");
        if (decision.condition !== undefined)
          follow(router.name, decision.exit, "next", `not (${decision.condition.source})`);
        break;
      case "fan-out":
        for (const via of decision.plan.via)
          chain(router.name, [...via.map((a) => a.name), decision.plan.aggregator], "slice");
        add({ from: router.name, to: decision.plan.aggregator, kind: "next" });
        follow(decision.plan.aggregator, decision.after, "next");
        break;
      case "pause":
        crew("x-pause");
        crew("x-resume");
        add({ from: router.name, to: "x-pause", kind: "next" });
        add({ from: "x-pause", to: "x-resume", kind: "next" });
        follow("x-resume", decision.after, "next");
        break;
      case "throw":
      case "rethrow":
      case "fall":
        crew("x-sink");
        add({ from: router.name, to: "x-sink", kind: "error", condition: "failed" });
        break;
    }
    if (router.errorTarget !== undefined) follow(router.name, router.errorTarget, "error", "error");
  }
  for (const actor of lowered.actors) {
    if (actor.errorTarget !== undefined) follow(actor.name, actor.errorTarget, "error", "error");
  }
  return {
    flow: lowered.flow.name,
    entry: lowered.start.name,
    source: relative(baseDir, lowered.flow.file),
    nodes: [...nodes.values()],
    edges: [...edges.values()],
  };
}

/** `flow.mmd`: the graph as a Mermaid flowchart. */
export function emitMermaid(graphs: readonly FlowGraph[]): string {
  const lines = ["flowchart TD"];
  for (const graph of graphs) {
    const ids = new Map<string, string>();
    const idOf = (name: string) => {
      let id = ids.get(name);
      if (id === undefined) {
        id = `${graph.flow.replace(/[^A-Za-z0-9]/g, "_")}_${ids.size}`;
        ids.set(name, id);
      }
      return id;
    };
    if (graphs.length > 1) lines.push(`  subgraph ${graph.flow}`);
    for (const node of graph.nodes) {
      const text = escapeLabel(
        node.kind === "actor" ? node.id : node.kind === "router" ? `${node.id}\n${node.label}` : node.id,
      );
      const id = idOf(node.id);
      const shape =
        node.kind === "actor"
          ? `["${text}"]`
          : node.kind === "fanin"
            ? `[["${text}"]]`
            : node.kind === "crew"
              ? `(["${text}"])`
              : node.router === "if" || node.router === "while"
                ? `{"${text}"}`
                : `{{"${text}"}}`;
      lines.push(`  ${id}${shape}`);
    }
    for (const edge of graph.edges) {
      const arrow = edge.kind === "error" ? "-.->" : edge.kind === "slice" ? "==>" : "-->";
      const label = edge.condition === undefined ? "" : `|"${escapeLabel(edge.condition)}"|`;
      lines.push(`  ${idOf(edge.from)} ${arrow}${label} ${idOf(edge.to)}`);
    }
    if (graphs.length > 1) lines.push("  end");
  }
  return `${lines.join("\n")}\n`;
}

function escapeLabel(text: string): string {
  return text.replace(/"/g, "#quot;").replace(/\n/g, "<br/>");
}
