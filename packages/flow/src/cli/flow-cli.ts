import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { FlowCompileError } from "../compiler/compile-error.js";
import { compileFlowFile, writeCompiledFlows } from "../compiler/compile-flow.js";
import type { FlowDeployConfig } from "../compiler/emit-manifests.js";
import type { PauseRequest } from "../pause.js";
import { type FlowHop, FlowRunError, type PauseAnswers, runFlow } from "../run/run-flow.js";

/** Usage of `asya flow`. */
export const FLOW_USAGE = `usage: asya flow <command>

  compile <file.ts> [--out dir] [--flow name] [--image I] [--transport rabbitmq|JSON] [--namespace N] [--config file]
          write routers.js, routers.d.ts, graph.json, flow.mmd and manifests/ (default out: <file dir>/asya-flow)
  graph <file.ts> [--flow name]
          print the flow's Mermaid graph
  run <file.ts> --payload JSON [--flow name] [--json] [--answers JSON] [--concurrency N] [--config file]
          compile and run the flow in this process on the memory transport, printing each hop
`;

/** Streams and stdin of {@link runFlowCli}. */
export interface FlowCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Asks a human (pauses in `flow run` without --answers); `undefined` when there is no terminal. */
  readonly ask?: ((question: string) => Promise<string>) | undefined;
}

/** `asya flow ...`: returns the exit code (0 ok, 1 failed flow or compile error, 2 usage). */
export async function runFlowCli(argv: readonly string[], io: FlowCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "compile":
        return compileCommand(rest, io);
      case "graph":
        return graphCommand(rest, io);
      case "run":
        return await runCommand(rest, io);
      default:
        io.stderr(FLOW_USAGE);
        return 2;
    }
  } catch (error) {
    if (error instanceof FlowCompileError) {
      io.stderr(
        `${error.message}\n${error.diagnostics.length} error${error.diagnostics.length === 1 ? "" : "s"}: the flow did not compile\n`,
      );
      return 1;
    }
    if (error instanceof FlowRunError || (error as { code?: unknown }).code === "FLOW_CONFIG_INVALID") {
      io.stderr(`[asya:flow] ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  }
}

function compileCommand(argv: readonly string[], io: FlowCliIo): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: "string" },
      flow: { type: "string" },
      image: { type: "string" },
      transport: { type: "string" },
      namespace: { type: "string" },
      config: { type: "string" },
    },
  });
  const file = positionals[0];
  if (file === undefined) {
    io.stderr(FLOW_USAGE);
    return 2;
  }
  const startedMs = performance.now();
  const config = deployConfig(values);
  const compiled = compileFlowFile(file, {
    ...(values.flow === undefined ? {} : { flow: values.flow }),
    ...(values.out === undefined ? {} : { outDir: values.out }),
    config,
  });
  const written = writeCompiledFlows(compiled);
  const elapsedMs = Math.round(performance.now() - startedMs);
  for (const flow of compiled.flows) {
    const count = (role: string) => flow.actors.filter((a) => a.role === role).length;
    io.stdout(
      `flow ${flow.name}: entry ${flow.entry}; ${count("router") + 1} routers, ${count("actor")} handler actors, ${count("fanin")} fan-in aggregators${flow.pauses ? "; pauses (needs x-pause, x-resume)" : ""}\n`,
    );
  }
  for (const path of written) io.stdout(`  wrote ${relative(process.cwd(), path) || path}\n`);
  io.stdout(
    `compiled ${compiled.flows.length} flow${compiled.flows.length === 1 ? "" : "s"} in ${elapsedMs} ms -> ${relative(process.cwd(), compiled.outDir) || "."}\n`,
  );
  return 0;
}

function graphCommand(argv: readonly string[], io: FlowCliIo): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { flow: { type: "string" } },
  });
  const file = positionals[0];
  if (file === undefined) {
    io.stderr(FLOW_USAGE);
    return 2;
  }
  io.stdout(compileFlowFile(file, values.flow === undefined ? {} : { flow: values.flow }).mermaid);
  return 0;
}

async function runCommand(argv: readonly string[], io: FlowCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      payload: { type: "string" },
      flow: { type: "string" },
      json: { type: "boolean" },
      answers: { type: "string" },
      concurrency: { type: "string" },
      config: { type: "string" },
      timeout: { type: "string" },
    },
  });
  const file = positionals[0];
  if (file === undefined || values.payload === undefined) {
    io.stderr("usage: asya flow run <file.ts> --payload JSON [--flow name] [--json] [--answers JSON]\n");
    return 2;
  }
  const payload = parseJson(values.payload, "--payload");
  const json = values.json === true;
  const answers = pauseAnswers(values.answers, io, json);
  const concurrency = values.concurrency === undefined ? 1 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw usageError("--concurrency must be a positive integer");
  const config = deployConfig(values);
  const startedMs = performance.now();
  const onHop = (hop: FlowHop) => {
    if (json) {
      io.stdout(
        `${JSON.stringify({ hop: hop.index, id: hop.id, from: hop.from ?? null, to: hop.to, kind: hop.kind, payload: hop.payload })}\n`,
      );
    } else {
      const from = hop.from === undefined ? "" : `${hop.from} -> `;
      io.stdout(
        `  [${String(hop.index).padStart(3)}] ${`${from}${hop.to}`.padEnd(48)} ${hop.kind.padEnd(6)} ${clip(JSON.stringify(hop.payload), 100)}\n`,
      );
    }
  };
  if (!json) io.stdout(`running ${file} on the memory transport (concurrency ${concurrency})\n`);
  const result = await runFlow({
    file,
    payload,
    onHop,
    concurrency,
    config,
    ...(values.flow === undefined ? {} : { flow: values.flow }),
    ...(answers === undefined ? {} : { answers }),
    ...(values.timeout === undefined ? {} : { timeoutMs: Number(values.timeout) }),
  });
  const elapsedMs = Math.round(performance.now() - startedMs);
  if (json) {
    const last = result.status === "succeeded" ? { result: result.result } : { error: result.error };
    io.stdout(`${JSON.stringify({ ...last, calls: result.calls })}\n`);
  } else {
    io.stdout(
      `${result.status} in ${elapsedMs} ms: ${result.calls.length} handler calls, ${result.hops.length} hops\n`,
    );
    io.stdout(
      `${result.status === "succeeded" ? "result" : "error"}: ${JSON.stringify(result.status === "succeeded" ? result.result : result.error)}\n`,
    );
  }
  return result.status === "succeeded" ? 0 : 1;
}

/** `--answers`: an array (one per pause, in order) or one object for every pause; else ask on a terminal. */
function pauseAnswers(text: string | undefined, io: FlowCliIo, json: boolean): PauseAnswers | undefined {
  if (text !== undefined) {
    const answers = parseJson(text, "--answers");
    return Array.isArray(answers) ? answers : () => answers;
  }
  const ask = io.ask;
  if (ask === undefined || json) return undefined;
  return async (request: PauseRequest) => {
    io.stdout(`paused: ${request.prompt}\n`);
    const answer: Record<string, unknown> = {};
    for (const field of request.fields ?? []) {
      const options = field.options === undefined ? "" : ` one of ${JSON.stringify(field.options)}`;
      const raw = await ask(
        `  ${field.name} (${field.type}${field.required === true ? ", required" : ""}${options})${field.prompt === undefined ? "" : ` ${field.prompt}`}: `,
      );
      if (raw === "" && field.required !== true) continue;
      answer[field.name] =
        field.type === "string"
          ? raw
          : parseJson(
              field.type === "boolean"
                ? raw
                    .toLowerCase()
                    .replace(/^y(es)?$/, "true")
                    .replace(/^no?$/, "false")
                : raw,
              field.name,
            );
    }
    return answer;
  };
}

function deployConfig(values: {
  readonly config?: string | undefined;
  readonly image?: string | undefined;
  readonly transport?: string | undefined;
  readonly namespace?: string | undefined;
}): FlowDeployConfig {
  let config: FlowDeployConfig = {};
  if (values.config !== undefined) {
    const parsed: unknown = parseYaml(readFileSync(values.config, "utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw usageError(
        `--config ${values.config}: expected a mapping (image, transport, namespace, root, defaults, actors)`,
      );
    }
    config = parsed as FlowDeployConfig;
  }
  const transport =
    values.transport === undefined
      ? undefined
      : values.transport.trimStart().startsWith("{")
        ? (parseJson(values.transport, "--transport") as Record<string, unknown>)
        : values.transport;
  return {
    ...config,
    ...(values.image === undefined ? {} : { image: values.image }),
    ...(transport === undefined ? {} : { transport }),
    ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw usageError(`${what} is not JSON: ${(error as Error).message}`);
  }
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: "FLOW_CONFIG_INVALID", retryable: false });
}

function clip(text: string | undefined, max: number): string {
  const value = text ?? "undefined";
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** A terminal question-asker for {@link FlowCliIo.ask}, or `undefined` without a TTY. */
export function terminalAsk(): FlowCliIo["ask"] {
  if (process.stdin.isTTY !== true) return undefined;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  };
}
