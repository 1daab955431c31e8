// Runs one flow program both ways and compares: directly (the flow function, handlers as plain
// calls, pauses answered by setPauseResponder) and compiled (runFlow on the memory transport).
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { type PauseRequest, setPauseResponder } from "@asya/flow";
import { type CompiledFlows, compileFlowFile } from "@asya/flow/compiler";
import { FlowRunError, runFlow } from "@asya/flow/run";

/** How one run ended. */
export interface Outcome {
  /** `unfinished`: runFlow timed out (stuck or runaway). */
  readonly status: "succeeded" | "failed" | "unfinished";
  readonly result?: unknown;
  readonly error?: string;
  readonly calls: readonly string[];
}

/** The state every generated program works on (the handlers module declares it, with counters). */
export interface Input {
  readonly n: number;
  readonly k: number;
  readonly [key: string]: unknown;
}

/**
 * Generated programs live under this gitignored directory (generated/.gitignore) inside the
 * package, so that vitest resolves the flow file's `import ... from "@asya/flow"` (a flow under
 * os.tmpdir() has no node_modules to resolve it from).
 */
const WORK_ROOT = fileURLToPath(new URL("./.work/", import.meta.url));

/** A directory for this test file's programs; {@link removeWorkDir} deletes it. */
export function createWorkDir(): string {
  mkdirSync(WORK_ROOT, { recursive: true });
  // What a killed run left behind (its process is gone).
  for (const entry of readdirSync(WORK_ROOT)) {
    const pid = Number(/^run-(\d+)-/.exec(entry)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      rmSync(join(WORK_ROOT, entry), { recursive: true, force: true });
    }
  }
  return mkdtempSync(join(WORK_ROOT, `run-${process.pid}-`));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  try {
    rmdirSync(WORK_ROOT); // only when empty (another run may be using it)
  } catch {
    // not empty or already gone
  }
}

let programs = 0;

/** A program written to a fresh directory under `workDir` and compiled. */
export interface Prepared {
  readonly file: string;
  readonly compiled: CompiledFlows;
  readonly flowSource: string;
  readonly handlersSource: string;
}

export function prepare(workDir: string, flowSource: string, handlersSource: string): Prepared {
  const dir = join(workDir, `p${programs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "handlers.ts"), handlersSource);
  const file = join(dir, "flow.ts");
  writeFileSync(file, flowSource);
  try {
    return { file, compiled: compileFlowFile(file), flowSource, handlersSource };
  } catch (error) {
    throw new Error(`the generated program does not compile:\n${String(error)}\n${describe(flowSource)}`, {
      cause: error,
    });
  }
}

/**
 * The pause answers both runs give: a function of the paused state, of the request (the prompt may
 * show the state too) and of how many pauses came before.
 */
export function answerer(): (request: PauseRequest, state: unknown) => { ok: boolean } {
  let index = 0;
  return (request, state) => {
    const s = (state ?? {}) as { n?: number; k?: number };
    const prompt = [...request.prompt].reduce((acc, ch) => acc + ch.charCodeAt(0), 0);
    return { ok: (prompt + (s.n ?? 0) + (s.k ?? 0) + index++) % 2 === 0 };
  };
}

const calls = (): string[] => {
  const g = globalThis as { __flowCalls?: string[] };
  g.__flowCalls ??= [];
  return g.__flowCalls;
};

const json = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}

/** The flow `main` of the program called as a function. */
export async function runDirect(prepared: Prepared, input: Input, flowName = "main"): Promise<Outcome> {
  const module = (await import(pathToFileURL(prepared.file).href)) as Record<
    string,
    (state: unknown) => Promise<unknown>
  >;
  const fn = module[flowName];
  if (typeof fn !== "function") throw new Error(`${prepared.file} exports no flow ${flowName}`);
  calls().length = 0;
  setPauseResponder(answerer());
  try {
    const result = await fn(structuredClone(input));
    return { status: "succeeded", result: json(result), calls: [...calls()] };
  } catch (error) {
    return { status: "failed", error: messageOf(error), calls: [...calls()] };
  } finally {
    setPauseResponder(undefined);
    calls().length = 0;
  }
}

/** Options of {@link runCompiled}. */
export interface CompiledRunOptions {
  readonly flow?: string;
  /** runFlow's timeout. @default 10000 */
  readonly timeoutMs?: number;
  /**
   * Hops after which the run counts as a runaway: the handlers then hang (see HANDLERS_PRELUDE),
   * which stops the routes so runFlow's timeout fires (a route cycling without pause starves the
   * timer otherwise, and its hop log grows until the process dies). @default 10000
   */
  readonly maxHops?: number;
}

/** The compiled routes of `main`, run by runFlow on the memory transport. */
export async function runCompiled(
  prepared: Prepared,
  input: Input,
  options: CompiledRunOptions = {},
): Promise<Outcome> {
  const g = globalThis as { __flowStop?: boolean };
  const maxHops = options.maxHops ?? 10_000;
  let hops = 0;
  try {
    const run = await runFlow({
      file: prepared.file,
      flow: options.flow ?? "main",
      compiled: prepared.compiled,
      payload: structuredClone(input),
      answers: answerer(),
      timeoutMs: options.timeoutMs ?? 10_000,
      onHop: () => {
        hops += 1;
        if (hops > maxHops) g.__flowStop = true;
      },
    });
    return run.status === "succeeded"
      ? { status: "succeeded", result: json(run.result), calls: [...run.calls] }
      : { status: "failed", error: messageOf(run.error), calls: [...run.calls] };
  } catch (error) {
    if (!(error instanceof FlowRunError) || error.code !== "FLOW_RUN_TIMEOUT") throw error;
    const why = hops > maxHops ? `runaway: stopped after ${maxHops} hops` : `stuck after ${hops} hops`;
    return { status: "unfinished", error: `${why} (${error.message})`, calls: [] };
  } finally {
    g.__flowStop = false;
    calls().length = 0;
  }
}

/** Numbered source lines, for failure messages. */
export function describe(flowSource: string, handlersSource?: string): string {
  const numbered = (text: string) =>
    text
      .split("\n")
      .map((line, i) => `${String(i + 1).padStart(3)} | ${line}`)
      .join("\n");
  return `--- flow.ts\n${numbered(flowSource)}${handlersSource === undefined ? "" : `\n--- handlers.ts\n${handlersSource}`}`;
}

/** `undefined` when both runs agree, else what differs. */
export function difference(direct: Outcome, compiled: Outcome): string | undefined {
  const problems: string[] = [];
  if (direct.status !== compiled.status)
    problems.push(`status: direct ${direct.status}, compiled ${compiled.status}`);
  else if (direct.status === "succeeded" && !isDeepStrictEqual(direct.result, compiled.result))
    problems.push("final state differs");
  else if (direct.status === "failed" && direct.error !== compiled.error) problems.push("error differs");
  if (!isDeepStrictEqual(direct.calls, compiled.calls)) problems.push("handler calls differ");
  if (problems.length === 0) return undefined;
  const show = (o: Outcome) => JSON.stringify({ ...o, calls: o.calls.join(" ") });
  return `${problems.join("; ")}\n  direct:   ${show(direct)}\n  compiled: ${show(compiled)}`;
}

/** Runs `prepared` on every input both ways; throws listing the inputs where they differ. */
export async function checkEquivalent(
  prepared: Prepared,
  inputs: readonly Input[],
  options: CompiledRunOptions = {},
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const mismatches: string[] = [];
  for (const input of inputs) {
    const direct = await runDirect(prepared, input, options.flow);
    const compiled = await runCompiled(prepared, input, options);
    outcomes.push(direct);
    const diff = difference(direct, compiled);
    if (diff !== undefined) mismatches.push(`input ${JSON.stringify(input)}: ${diff}`);
  }
  if (mismatches.length > 0) {
    throw new Error(
      `direct and compiled runs differ:\n${mismatches.join("\n")}\n${describe(prepared.flowSource, prepared.handlersSource)}`,
    );
  }
  return outcomes;
}
