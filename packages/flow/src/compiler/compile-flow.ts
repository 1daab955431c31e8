import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DiagnosticBag } from "./compile-error.js";
import { deployUnits, type FlowActor, usesPause } from "./deploy-units.js";
import { buildGraph, emitMermaid, type FlowGraph } from "./emit-graph.js";
import { emitManifests, type FlowDeployConfig, transportBlock } from "./emit-manifests.js";
import { emitRoutersDts, emitRoutersJs } from "./emit-routers.js";
import type { FlowStatement } from "./ir.js";
import { type LoweredFlow, lowerFlow } from "./lower.js";
import { parseFlows } from "./parse-flow.js";
import { createFlowProgram } from "./program.js";

/** Options of {@link compileFlowFile}. */
export interface CompileFlowOptions {
  /** Compile only this flow of the file (its DNS name or its export). @default every flow */
  readonly flow?: string;
  /** Image, transport, namespace and per-actor fields of the emitted AsyncActors. */
  readonly config?: FlowDeployConfig;
  /** Where the outputs go (routers.js's path in the manifests is relative to `config.root`). @default "<file dir>/asya-flow" */
  readonly outDir?: string;
}

/** One compiled flow. */
export interface CompiledFlow {
  readonly name: string;
  /** The export of the flow in its file. */
  readonly exportName: string;
  /** `start-<flow>`: send a payload here to run the flow. */
  readonly entry: string;
  readonly graph: FlowGraph;
  /** Routers, handler actors and fan-in aggregators, start first. */
  readonly actors: readonly FlowActor[];
  /** The flow pauses: it needs the crew x-pause and x-resume. */
  readonly pauses: boolean;
  /** Whether another flow of the file inlines this one. */
  readonly inlined: boolean;
}

/** Everything `asya flow compile` writes, in memory. */
export interface CompiledFlows {
  readonly file: string;
  readonly flows: readonly CompiledFlow[];
  readonly routersJs: string;
  readonly routersDts: string;
  readonly mermaid: string;
  /** `manifests/<actor>.yaml` contents by file name. */
  readonly manifests: ReadonlyMap<string, string>;
  readonly outDir: string;
}

/**
 * Compiles the flows of a TypeScript file into routers, a graph and manifests (FLOW.md).
 * @throws FlowCompileError listing every problem as `file:line:column: what (hint: what instead)`.
 */
export function compileFlowFile(file: string, options: CompileFlowOptions = {}): CompiledFlows {
  const path = resolve(file);
  const bag = new DiagnosticBag();
  const program = createFlowProgram(path);
  let parsed = parseFlows(program, path, bag);
  bag.throwIfAny();
  const inlined = new Set(parsed.flatMap((flow) => inlinedFlows(flow.body)));
  if (options.flow !== undefined) {
    const chosen = parsed.filter((flow) => flow.name === options.flow || flow.exportName === options.flow);
    if (chosen.length === 0) {
      bag.add(
        { file: path, line: 1, column: 1 },
        `no flow named ${options.flow} in this file (flows: ${parsed.map((f) => f.name).join(", ")})`,
      );
    }
    parsed = chosen;
  }
  const lowered = parsed.map((flow) => lowerFlow(flow, bag));
  bag.throwIfAny();
  const baseDir = dirname(path);
  const outDir = resolve(options.outDir ?? join(baseDir, "asya-flow"));
  const flows = lowered.map((l) => compiled(l, baseDir, inlined));
  const units = uniqueUnits(flows.flatMap((f) => f.actors));
  const config = options.config ?? {};
  transportBlock(config.transport); // a bad --transport fails the compile, not the first read of manifests
  const root = resolve(baseDir, config.root ?? ".");
  let manifests: ReadonlyMap<string, string> | undefined;
  return {
    file: path,
    flows,
    routersJs: emitRoutersJs(lowered, baseDir),
    routersDts: emitRoutersDts(lowered),
    mermaid: emitMermaid(flows.map((f) => f.graph)),
    // Rendered on first use: `asya flow run` never needs them.
    get manifests() {
      manifests ??= emitManifests(units, config, { root, routersFile: join(outDir, "routers.js") });
      return manifests;
    },
    outDir,
  };
}

/** Writes routers.js, routers.d.ts, graph.json, flow.mmd and manifests/ to `compiled.outDir`. */
export function writeCompiledFlows(compiled: CompiledFlows): string[] {
  const { outDir } = compiled;
  mkdirSync(join(outDir, "manifests"), { recursive: true });
  const graph =
    compiled.flows.length === 1 ? compiled.flows[0]?.graph : { flows: compiled.flows.map((f) => f.graph) };
  const files: Array<[string, string]> = [
    ["routers.js", compiled.routersJs],
    ["routers.d.ts", compiled.routersDts],
    ["graph.json", `${JSON.stringify(graph, null, 2)}\n`],
    ["flow.mmd", compiled.mermaid],
    ...[...compiled.manifests].map(([name, text]): [string, string] => [join("manifests", name), text]),
  ];
  for (const [name, text] of files) writeFileSync(join(outDir, name), text);
  return files.map(([name]) => join(outDir, name));
}

function compiled(lowered: LoweredFlow, baseDir: string, inlined: ReadonlySet<string>): CompiledFlow {
  return {
    name: lowered.flow.name,
    exportName: lowered.flow.exportName,
    entry: lowered.start.name,
    graph: buildGraph(lowered, baseDir),
    actors: deployUnits(lowered),
    pauses: usesPause(lowered),
    inlined: inlined.has(lowered.flow.name),
  };
}

/** Handler actors shared by several flows of a file are deployed once. */
function uniqueUnits(units: readonly FlowActor[]): FlowActor[] {
  const byName = new Map<string, FlowActor>();
  for (const unit of units) if (!byName.has(unit.name)) byName.set(unit.name, unit);
  return [...byName.values()];
}

function inlinedFlows(statements: readonly FlowStatement[]): string[] {
  return statements.flatMap((statement): string[] => {
    switch (statement.kind) {
      case "inline":
        return [statement.flow, ...inlinedFlows(statement.body)];
      case "if":
        return [...inlinedFlows(statement.yes), ...inlinedFlows(statement.no)];
      case "while":
        return inlinedFlows(statement.body);
      case "try":
        return [
          ...inlinedFlows(statement.body),
          ...inlinedFlows(statement.catch ?? []),
          ...inlinedFlows(statement.finally ?? []),
        ];
      default:
        return [];
    }
  });
}
