import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnvelope, encodeEnvelope, queueName, RESILIENCY_ENV } from "@asya/envelope";
import {
  type CompiledFlow,
  type CompiledFlows,
  compileFlowFile,
  type FlowActor,
  type FlowResiliency,
  resiliencyFor,
  routerExport,
  writeCompiledFlows,
} from "@asya/flow/compiler";
import { parseAsyncActor, runtimeEnv } from "@asya/k8s-manifests";
import amqplib from "amqplib";
import { type ActorProcess, stopAll } from "../reliability/harness/actor-process.js";
import { type BrokerEnv, type LaunchOptions, launchActor } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import { waitFor } from "../reliability/harness/wait.js";

// Compiled flows of one file deployed as `asya run` child processes on a broker, in a namespace of
// their own: every router (routers.js), handler actor (.ts module, loaded through @asya/flow/register)
// and fan-in aggregator of the flows (a handler actor they share runs once, as the manifests deploy
// it once), plus the crew x-sink (JSONL file store) and, for flows that pause,
// x-pause and x-resume. Fan-in and pause state live in one file state store shared by the crew.

/**
 * The resiliency variables of an actor, as its AsyncActor renders them: the manifests' own
 * `runtimeEnv` over a minimal actor with this resiliency (one rendering, not a copy of it).
 */
export function resiliencyEnv(resiliency: FlowResiliency | undefined): Record<string, string> {
  if (resiliency === undefined) return {};
  const actor = parseAsyncActor({
    apiVersion: "asya.sh/v1alpha1",
    kind: "AsyncActor",
    metadata: { name: "unit" },
    spec: {
      actor: "unit",
      image: "unit:1",
      handler: "./unit.js#unit",
      transport: { type: "rabbitmq", rabbitmq: { urlSecretRef: { name: "amqp", key: "url" } } },
      resiliency,
    },
  });
  const names = new Set<string>(Object.values(RESILIENCY_ENV));
  return Object.fromEntries(
    runtimeEnv(actor.spec, undefined)
      .filter((variable) => names.has(variable.name) && variable.value !== undefined)
      .map((variable) => [variable.name, variable.value as string]),
  );
}

/** What the child process of one unit of a compiled flow runs: a handler or the crew fan-in. */
function launchOptionsFor(unit: FlowActor, outDir: string): Pick<LaunchOptions, "handler" | "crew"> {
  if (unit.role === "fanin") return { crew: "fan-in" };
  if (unit.handler !== undefined) {
    return { handler: `${unit.handler.moduleFile}#${unit.handler.exportName}` };
  }
  return { handler: `${join(outDir, "routers.js")}#${routerExport(unit.name)}` };
}

/** Options of {@link deployFlow}. */
export interface DeployFlowOptions {
  readonly file: string;
  /** The flows of `file` to deploy (names or exports; handler actors they share run once). */
  readonly flows: readonly string[];
  readonly broker: BrokerEnv;
  /** The broker's AMQP URL (publishing the first envelope, deleting the queues at the end). */
  readonly amqpUrl: string;
  /** Namespace prefix (made unique). */
  readonly label: string;
}

/** Compiled flows running as child processes. */
export interface DeployedFlow {
  readonly compiled: CompiledFlows;
  /** The deployed flows, by the names they were asked for. */
  readonly flows: ReadonlyMap<string, CompiledFlow>;
  readonly namespace: string;
  /** Where fan-in and pause state live (file store). */
  readonly stateDir: string;
  readonly processes: readonly ActorProcess[];
  /** How long compiling and starting every process until ready took. */
  readonly startMs: number;
  /** Publishes `payload` to the entry (`start-<flow>`) of `flow` as envelope `id`. */
  send(flow: string, id: string, payload: unknown): Promise<void>;
  /** Publishes an already built envelope to `actor`'s queue. */
  publish(actor: string, body: Uint8Array): Promise<void>;
  /** The envelopes x-sink stored so far. */
  sunk(): SinkEnvelope[];
  /** Waits for the envelope `id` at x-sink. @throws Error with the processes' output on timeout. */
  result(id: string, timeoutMs?: number): Promise<SinkEnvelope>;
  /** The handler exports of the handler actors an envelope visited, in order (its route.prev). */
  handlerCalls(envelope: SinkEnvelope): string[];
  /** Stops every process, deletes the namespace's queues and the temp dir. Idempotent. */
  close(): Promise<void>;
}

const CREW_QUEUES = ["x-sink", "x-sump", "x-pause", "x-resume"] as const;

/**
 * Compiles `file`, writes routers.js into a temp dir and starts every actor of the flows concurrently
 * (handlers and routers at concurrency 1), each with its generated resiliency in the environment.
 * On failure everything started so far is stopped and removed again.
 */
export async function deployFlow(options: DeployFlowOptions): Promise<DeployedFlow> {
  const started = Date.now();
  const namespace = uniqueNamespace(options.label);
  const connection = await amqplib.connect(options.amqpUrl);
  connection.on("error", () => {});
  const dir = mkdtempSync(join(tmpdir(), "asya-flow-int-"));
  const outDir = join(dir, "out");
  const stateDir = join(dir, "state");
  const sinkFile = join(dir, "results.jsonl");
  const processes: ActorProcess[] = [];
  let closed = false;
  let units: readonly FlowActor[] = [];
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await stopAll(processes);
    try {
      const channel = await connection.createChannel();
      channel.on("error", () => {});
      const names = [...units.map((unit) => unit.name), ...CREW_QUEUES];
      for (const name of names) {
        for (const queue of [queueName(name, namespace), `${queueName(name, namespace)}-dlq`]) {
          await channel.deleteQueue(queue);
        }
      }
      await channel.close();
    } finally {
      await connection.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const compiled = compileFlowFile(options.file, { outDir });
    writeCompiledFlows(compiled);
    const flows = new Map(
      options.flows.map((name): [string, CompiledFlow] => {
        const flow = compiled.flows.find((f) => f.name === name || f.exportName === name);
        if (flow === undefined) throw new Error(`[asya:test] ${options.file} has no flow ${name}`);
        return [name, flow];
      }),
    );
    const byName = new Map<string, FlowActor>();
    for (const flow of flows.values())
      for (const unit of flow.actors) if (!byName.has(unit.name)) byName.set(unit.name, unit);
    units = [...byName.values()];
    const pauses = [...flows.values()].some((flow) => flow.pauses);
    const state = { ASYA_STATE_STORE: "file", ASYA_STATE_DIR: stateDir };
    const common = { namespace, broker: options.broker, concurrency: 1 } as const;
    const launches: LaunchOptions[] = [
      ...units.map(
        (unit): LaunchOptions => ({
          ...common,
          name: unit.name,
          ...launchOptionsFor(unit, outDir),
          env: { ...resiliencyEnv(resiliencyFor(unit, {})), ...(unit.role === "fanin" ? state : {}) },
        }),
      ),
      {
        ...common,
        name: "x-sink",
        crew: "x-sink",
        env: { ASYA_SINK_STORE: "file", ASYA_SINK_FILE: sinkFile },
      },
      ...(pauses
        ? (["x-pause", "x-resume"] as const).map(
            (crew): LaunchOptions => ({ ...common, name: crew, crew, env: state }),
          )
        : []),
    ];
    // Every launch settles before anything is judged, so the processes that did start are all stopped.
    const settled = await Promise.allSettled(launches.map((launch) => launchActor(launch)));
    for (const result of settled) if (result.status === "fulfilled") processes.push(result.value.process);
    const failed = settled.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const publishChannel = await connection.createConfirmChannel();
    publishChannel.on("error", () => {});
    const publish = async (actor: string, body: Uint8Array): Promise<void> => {
      publishChannel.sendToQueue(queueName(actor, namespace), Buffer.from(body), { persistent: true });
      await publishChannel.waitForConfirms();
    };
    const sunk = (): SinkEnvelope[] => {
      if (!existsSync(sinkFile)) return [];
      return readFileSync(sinkFile, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .flatMap((line): SinkEnvelope[] => {
          try {
            return [JSON.parse(line) as SinkEnvelope];
          } catch {
            return []; // a line x-sink is still appending
          }
        });
    };
    const handlerOf = new Map(
      units.flatMap((unit) =>
        unit.role === "actor" && unit.handler !== undefined ? [[unit.name, unit.handler.exportName]] : [],
      ),
    );
    return {
      compiled,
      flows,
      namespace,
      stateDir,
      processes,
      startMs: Date.now() - started,
      publish,
      send(name, id, payload) {
        const entry = flows.get(name)?.entry;
        if (entry === undefined) throw new Error(`[asya:test] flow ${name} is not deployed`);
        return publish(entry, encodeEnvelope(createEnvelope({ id, route: [entry], payload })));
      },
      sunk,
      async result(id, timeoutMs = 30_000) {
        let found: SinkEnvelope | undefined;
        try {
          await waitFor(
            `envelope ${id} at x-sink`,
            () => {
              found = sunk().find((envelope) => envelope.id === id);
              return found !== undefined;
            },
            timeoutMs,
            25,
          );
        } catch (error) {
          const tails = processes.map((p) => `--- ${p.options.label} ---\n${p.tail(1_500)}`).join("\n");
          throw new Error(`${(error as Error).message}\n${tails}`);
        }
        return found as SinkEnvelope;
      },
      handlerCalls: (envelope) =>
        (envelope.route?.prev ?? []).flatMap((actor) => {
          const exportName = handlerOf.get(actor);
          return exportName === undefined ? [] : [exportName];
        }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
