import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createEnvelope,
  type Envelope,
  encodeEnvelope,
  HEADER_FAN_IN,
  HEADER_RESUME_TASK,
  parseEnvelope,
  queueName,
  RESUME_ACTOR,
  SINK_ACTOR,
} from "@asya/envelope";
import {
  type Actor,
  createActor,
  createSinkActor,
  type Handler,
  type ResultStore,
  silentLogger,
} from "@asya/runtime";
import { createFanInActor, createPauseActor, createResumeActor, PAUSE_KEYS } from "@asya/runtime/crew";
import { createMemoryStateStore, type JsonValue, type StateStore } from "@asya/state";
import { createMemoryTransport, type Transport } from "@asya/transport";
import { type CompiledFlow, type CompiledFlows, compileFlowFile } from "../compiler/compile-flow.js";
import type { FlowActor } from "../compiler/deploy-units.js";
import { type FlowDeployConfig, resiliencyFor } from "../compiler/emit-manifests.js";
import { routerExport } from "../compiler/emit-routers.js";
import type { PauseRequest } from "../pause.js";

/** One envelope published while the flow ran: it is on its way to `to`. */
export interface FlowHop {
  readonly index: number;
  readonly id: string;
  /** The actor that sent it (`undefined` for the first). */
  readonly from: string | undefined;
  readonly to: string;
  readonly kind: "start" | "router" | "actor" | "fanin" | "crew";
  readonly phase: string | undefined;
  readonly payload: unknown;
}

/** How a pause is answered in a local run: one answer per pause in order, or a function. */
export type PauseAnswers = readonly unknown[] | ((request: PauseRequest, state: unknown) => unknown);

/** Options of {@link runFlow}. */
export interface RunFlowOptions {
  readonly file: string;
  /** Which flow of the file (its name or export). @default the file's only top-level flow */
  readonly flow?: string;
  readonly payload: unknown;
  readonly answers?: PauseAnswers;
  /** Called for every hop as it happens. */
  readonly onHop?: (hop: FlowHop) => void;
  /** Handler calls in flight per actor. @default 1 (deterministic order) */
  readonly concurrency?: number;
  /** The user's per-actor fields (resiliency merges with the generated rules). */
  readonly config?: FlowDeployConfig;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** An already compiled file (skips compiling again). */
  readonly compiled?: CompiledFlows;
  /** The envelope's id. @default "flow-run-1" */
  readonly id?: string;
}

/** How the run ended. */
export interface FlowRunResult {
  readonly status: "succeeded" | "failed";
  /** The final state (when succeeded). */
  readonly result?: unknown;
  readonly error?: unknown;
  /** Handlers called, in call order (export names; no routers or crew). */
  readonly calls: readonly string[];
  readonly hops: readonly FlowHop[];
  readonly envelope: Envelope;
}

/** A flow run that could not finish (timeout, unanswered pause, bad flow choice). */
export class FlowRunError extends Error {
  override readonly name = "FlowRunError";
  readonly code: "FLOW_RUN_TIMEOUT" | "FLOW_RUN_PAUSE_UNANSWERED" | "FLOW_RUN_NO_FLOW";
  readonly retryable = false;

  constructor(code: FlowRunError["code"], message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Compiles a flow file and runs the whole flow in this process on the memory transport: handlers
 * imported from their modules, routers from the generated routers.js, fan-in aggregators, x-pause
 * and x-resume on a memory state store, x-sink. The developer's inner loop, without a broker.
 * `.ts` handler modules need a TypeScript loader (`import "@asya/flow/register"`, which the
 * `asya` CLI does) unless the caller runs under one (vitest).
 */
export async function runFlow(options: RunFlowOptions): Promise<FlowRunResult> {
  const compiled =
    options.compiled ??
    compileFlowFile(options.file, options.flow === undefined ? {} : { flow: options.flow });
  const flow = chooseFlow(compiled, options.flow);
  const transport = createMemoryTransport();
  const store = watchPauses(createMemoryStateStore());
  const calls: string[] = [];
  const hops: FlowHop[] = [];
  const kinds = new Map<string, FlowHop["kind"]>(
    flow.actors.map((a) => [a.name, a.role === "router" ? "router" : a.role]),
  );
  const id = options.id ?? "flow-run-1";
  let settle: (envelope: Envelope) => void = () => {};
  const finished = new Promise<Envelope>((resolve) => {
    settle = resolve;
  });
  const results: ResultStore = {
    async write(envelope) {
      if (envelope.id === id) settle(envelope);
    },
  };
  observePublishes(transport, (envelope, to) => {
    // A fan-out slice that failed never reaches its aggregator: the join would wait for its
    // timeout (ASYA_FANIN_TIMEOUT in a deployment). The function's Promise.all fails at once: so does the run.
    const frame = envelope.headers?.[HEADER_FAN_IN] as { origin_id?: unknown } | undefined;
    if (
      to === SINK_ACTOR &&
      envelope.status?.phase === "failed" &&
      typeof frame?.origin_id === "string" &&
      frame.origin_id.startsWith(`${id}@`)
    ) {
      settle(envelope);
    }
    const hop: FlowHop = {
      index: hops.length,
      id: envelope.id,
      from: envelope.route.prev[envelope.route.prev.length - 1],
      to,
      kind: kinds.get(to) ?? "crew",
      phase: envelope.status?.phase,
      payload: envelope.payload,
    };
    hops.push(hop);
    options.onHop?.(hop);
  });
  const actors: Actor[] = [];
  try {
    const routers = await importRouters(compiled.routersJs);
    const common = { transport, logger: silentLogger, metricsEnabled: false } as const;
    const concurrency = options.concurrency ?? 1;
    for (const unit of flow.actors) {
      actors.push(
        await actorFor(unit, {
          common,
          concurrency,
          routers,
          calls,
          store,
          config: options.config ?? {},
          flowFile: compiled.file,
        }),
      );
    }
    actors.push(
      createPauseActor({ ...common, store: store.store }),
      createResumeActor({ ...common, store: store.store }),
    );
    actors.push(createSinkActor({ ...common, store: results }));
    for (const actor of actors) await actor.start();
    let pauses = 0;
    store.onCheckpoint(async (taskId, checkpoint) => {
      // The checkpoint of x-pause: the paused envelope (its payload is the state) and the request.
      const saved = checkpoint as { pause?: PauseRequest; envelope?: { payload?: unknown } };
      const request = saved.pause ?? { prompt: "" };
      const answer = await answerFor(options.answers, request, saved.envelope?.payload, pauses++);
      const resume = createEnvelope({
        id: taskId,
        route: { prev: [], curr: RESUME_ACTOR, next: [] },
        headers: { [HEADER_RESUME_TASK]: taskId },
        payload: answer,
      });
      await transport.publish(queueName(RESUME_ACTOR, undefined), { body: encodeEnvelope(resume) });
    });
    const start = createEnvelope({ id, route: [flow.entry], payload: options.payload });
    await transport.publish(queueName(flow.entry, undefined), { body: encodeEnvelope(start) });
    const envelope = await withTimeout(finished, options.timeoutMs ?? 60_000, store.failure, flow.name);
    const failed = envelope.status?.phase === "failed";
    return {
      status: failed ? "failed" : "succeeded",
      ...(failed
        ? { error: envelope.status?.error ?? envelope.status?.reason }
        : { result: envelope.payload }),
      calls,
      hops,
      envelope,
    };
  } finally {
    for (const actor of actors.reverse()) await actor.stop({ graceMs: 200 }).catch(() => {});
    await transport.close?.();
  }
}

// Loaded modules stay in memory: one import per distinct routers.js (runs of one flow share it).
const routerModules = new Map<string, Promise<Record<string, Handler>>>();

/** Imports generated routers.js source (written to a temporary file, removed once loaded). */
function importRouters(source: string): Promise<Record<string, Handler>> {
  const key = createHash("sha256").update(source).digest("hex");
  let module = routerModules.get(key);
  if (module === undefined) {
    module = (async () => {
      const dir = mkdtempSync(join(tmpdir(), "asya-flow-run-"));
      try {
        writeFileSync(join(dir, "routers.js"), source);
        return (await import(pathToFileURL(join(dir, "routers.js")).href)) as Record<string, Handler>;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    routerModules.set(key, module);
    module.catch(() => routerModules.delete(key));
  }
  return module;
}

function chooseFlow(compiled: CompiledFlows, name: string | undefined): CompiledFlow {
  const candidates =
    name === undefined
      ? compiled.flows.filter((f) => !f.inlined)
      : compiled.flows.filter((f) => f.name === name || f.exportName === name);
  const [only, ...more] = candidates;
  if (only === undefined || more.length > 0) {
    throw new FlowRunError(
      "FLOW_RUN_NO_FLOW",
      name === undefined
        ? `${compiled.file} has several flows (${compiled.flows.map((f) => f.name).join(", ")}): choose one with --flow`
        : `${compiled.file} has no flow ${name} (flows: ${compiled.flows.map((f) => f.name).join(", ")})`,
    );
  }
  return only;
}

interface ActorContext {
  readonly common: {
    readonly transport: Transport;
    readonly logger: typeof silentLogger;
    readonly metricsEnabled: false;
  };
  readonly concurrency: number;
  readonly routers: Record<string, Handler>;
  readonly calls: string[];
  readonly store: PauseWatch;
  readonly config: FlowDeployConfig;
  readonly flowFile: string;
}

async function actorFor(unit: FlowActor, context: ActorContext): Promise<Actor> {
  const { common, concurrency } = context;
  const resiliency = resiliencyFor(unit, context.config);
  const rules = resiliency === undefined ? {} : { resiliency: resiliency as never };
  if (unit.role === "fanin")
    return createFanInActor({ ...common, name: unit.name, store: context.store.store });
  if (unit.handler === undefined) {
    const handler = context.routers[routerExport(unit.name)];
    if (handler === undefined) throw new Error(`[asya:flow] routers.js has no router ${unit.name}`);
    return createActor({ ...common, name: unit.name, handler, concurrency, ...rules });
  }
  const { exportName, moduleFile, packageName } = unit.handler;
  // A package resolves from the flow file's directory, as its import does.
  const target =
    packageName === undefined
      ? pathToFileURL(moduleFile).href
      : pathToFileURL(createRequire(context.flowFile).resolve(packageName)).href;
  const module = (await import(target)) as Record<string, unknown>;
  const fn = module[exportName];
  if (typeof fn !== "function")
    throw new Error(`[asya:flow] ${moduleFile} has no function export ${exportName}`);
  const handler: Handler = (payload, ctx) => {
    context.calls.push(exportName);
    return (fn as Handler)(payload, ctx);
  };
  return createActor({ ...common, name: unit.name, handler, concurrency, ...rules });
}

async function answerFor(
  answers: PauseAnswers | undefined,
  request: PauseRequest,
  state: unknown,
  index: number,
) {
  if (typeof answers === "function") return answers(request, state);
  if (answers !== undefined && index < answers.length) return answers[index];
  throw new FlowRunError(
    "FLOW_RUN_PAUSE_UNANSWERED",
    `the flow paused ("${request.prompt}") and no answer was given for pause ${index + 1}: pass --answers '[{...}]'`,
  );
}

interface PauseWatch {
  readonly store: StateStore;
  onCheckpoint(listener: (taskId: string, checkpoint: JsonValue) => Promise<void>): void;
  /** Rejects when answering a pause fails. */
  readonly failure: Promise<never>;
}

/** The state store, telling when x-pause writes a checkpoint (then the run answers it). */
function watchPauses(store: StateStore): PauseWatch {
  let listener: ((taskId: string, checkpoint: JsonValue) => Promise<void>) | undefined;
  let fail: (error: unknown) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failure.catch(() => {});
  const prefix = PAUSE_KEYS.checkpoint("");
  const watched: StateStore = {
    ...store,
    get: (key) => store.get(key),
    putIfAbsent: (key, value, options) => store.putIfAbsent(key, value, options),
    delete: (key) => store.delete(key),
    listByPrefix: (prefix, options) => store.listByPrefix(prefix, options),
    ready: () => store.ready(),
    close: () => store.close(),
    async put(key, value, options) {
      await store.put(key, value, options);
      if (key.startsWith(prefix) && listener !== undefined) {
        // Answered after x-pause's own step, as a human would: the resume waits for nothing here.
        const taskId = key.slice(prefix.length);
        setImmediate(() => listener?.(taskId, value).catch(fail));
      }
    },
  };
  return {
    store: watched,
    onCheckpoint: (next) => {
      listener = next;
    },
    failure,
  };
}

/** Calls `onEnvelope` for every envelope published (after the publish succeeded). */
function observePublishes(transport: Transport, onEnvelope: (envelope: Envelope, to: string) => void): void {
  const target = transport as { -readonly [K in keyof Transport]: Transport[K] };
  const publish = transport.publish.bind(transport);
  const publishBatch = transport.publishBatch?.bind(transport);
  const seen = (queue: string, body: Uint8Array | string) => {
    try {
      onEnvelope(parseEnvelope(body, { maxBytes: Number.MAX_SAFE_INTEGER }), queue.replace(/^asya-/, ""));
    } catch {
      // Not an envelope: nothing to show.
    }
  };
  target.publish = async (queue, message, options) => {
    await publish(queue, message, options);
    seen(queue, message.body);
  };
  if (publishBatch !== undefined) {
    target.publishBatch = async (queue, messages, options) => {
      await publishBatch(queue, messages, options);
      for (const message of messages) seen(queue, message.body);
    };
  }
}

async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  failure: Promise<never>,
  flow: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new FlowRunError("FLOW_RUN_TIMEOUT", `flow ${flow} did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout, failure]);
  } finally {
    clearTimeout(timer);
  }
}
