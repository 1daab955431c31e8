import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createEnvelope,
  type Envelope,
  encodeEnvelope,
  HEADER_RESUME_TASK,
  queueName,
  RESUME_ACTOR,
} from "@asya/envelope";
import {
  type Actor as ActorHandle,
  createActor,
  type Handler,
  type Logger,
  type MetricsRegistry,
  type ResultStore,
} from "@asya/runtime";
import { createFanInActor, createPauseActor, createResumeActor, PAUSE_KEYS } from "@asya/runtime/crew";
import type { EnvelopeSpy } from "@asya/runtime/testing";
import { createFileStateStore } from "@asya/state";
import type { Transport } from "@asya/transport";
import { createTask } from "../call-command.js";
import {
  approve,
  chunk,
  DIGEST_AGGREGATOR,
  type DigestInput,
  enrichChunk,
  publish,
} from "./digest-handlers.js";

/** The registered tool of the second act (`asya demo --gateway`). */
export const DIGEST_TOOL = "digest";

/** The second act's document. */
export const DIGEST_INPUT: DigestInput = {
  doc: "report-7",
  text:
    "Queues decouple producers from slow consumers. Each actor scales on its own backlog. " +
    "Chunks of one document are enriched in parallel. The aggregator joins them in order. " +
    "A person reviews the digest before it ships.",
};

/** The human's answer the demo gives. */
const ANSWER = { approved: true, editor: "demo-human" };

/** What {@link runDigestAct} needs from the first act. */
export interface DigestActOptions {
  readonly transport: Transport;
  readonly write: (line: string) => void;
  readonly spy: EnvelopeSpy;
  /** x-sink's store (the act's result lands there too). */
  readonly results: ResultStore & { readonly envelopes: readonly Envelope[] };
  readonly logger: Logger;
  readonly registry: MetricsRegistry;
  readonly namespace: string | undefined;
  /** The demo's gateway: the task is created for the `digest` tool and resumed over its API. */
  readonly gateway?: { readonly url: string; readonly api: string };
  readonly timeoutMs: number;
}

async function until<T>(
  get: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`[asya:demo] ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The second act: `chunk` fans a document out into chunks enriched in parallel by `enrich-chunk`
 * and joined at the `join-chunks` aggregator (fan-in), `approve` pauses for a human (x-pause), the
 * demo answers as the human (over the gateway's resume API with `--gateway`, else with the resume
 * envelope the gateway would send), and x-resume brings the answer to `publish`. State is in a file
 * store in a temporary directory.
 */
export async function runDigestAct(options: DigestActOptions): Promise<Envelope> {
  const startedMs = Date.now();
  const { transport, write, spy, namespace } = options;
  const ns = namespace === undefined ? {} : { namespace };
  const dir = mkdtempSync(join(tmpdir(), "asya-demo-state-"));
  const store = createFileStateStore({ dir });
  const common = {
    transport,
    logger: options.logger,
    registry: options.registry,
    ...ns,
    ...(options.gateway === undefined ? {} : { gateway: { url: options.gateway.url } }),
  };
  const handlers: ReadonlyArray<readonly [string, Handler<never>]> = [
    ["chunk", chunk as Handler<never>],
    ["enrich-chunk", enrichChunk as Handler<never>],
    ["approve", approve as Handler<never>],
    ["publish", publish as Handler<never>],
  ];
  const actors: ActorHandle[] = [
    ...handlers.map(([name, handler]) => createActor({ ...common, name, handler, concurrency: 4 })),
    createFanInActor({ ...common, name: DIGEST_AGGREGATOR, store }),
    createPauseActor({ ...common, store }),
    createResumeActor({ ...common, store }),
  ];
  try {
    for (const actor of actors) await actor.start();
    write("");
    write(
      `act 2: ${DIGEST_INPUT.doc} -> chunk (fan-out) -> enrich-chunk x N -> ${DIGEST_AGGREGATOR} (fan-in) -> approve -> x-pause`,
    );
    const client =
      options.gateway === undefined ? undefined : { api: options.gateway.api, apiKey: undefined };
    let id: string = DIGEST_INPUT.doc;
    if (client !== undefined) id = await createTask(client, DIGEST_TOOL, DIGEST_INPUT);
    else {
      const envelope = createEnvelope({ id, route: ["chunk", "approve", "publish"], payload: DIGEST_INPUT });
      await transport.publish(queueName("chunk", namespace), { body: encodeEnvelope(envelope) });
    }
    const checkpoint = await until(
      () =>
        store.get(PAUSE_KEYS.checkpoint(id)) as Promise<
          { pause: { prompt: string; fields: { name: string; type: string }[] } } | undefined
        >,
      options.timeoutMs,
      "the pause",
    );
    const joined = spy
      .records()
      .filter((r) => r.to === DIGEST_AGGREGATOR && r.envelope?.id.startsWith(id)).length;
    write(
      `  ${joined} frames joined at ${DIGEST_AGGREGATOR}; paused: "${checkpoint.pause.prompt}" (fields: ${checkpoint.pause.fields.map((f) => `${f.name} ${f.type}`).join(", ")})`,
    );
    write(
      `  a human answers ${JSON.stringify(ANSWER)}${client === undefined ? "" : " with POST /mesh/{id}/resume"}`,
    );
    if (client !== undefined) {
      const response = await fetch(`${client.api}/mesh/${id}/resume`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ANSWER),
      });
      if (response.status !== 202)
        throw new Error(`[asya:demo] resume answered ${response.status}: ${await response.text()}`);
    } else {
      const resume = createEnvelope({
        id,
        route: { prev: [], curr: RESUME_ACTOR, next: [] },
        headers: { [HEADER_RESUME_TASK]: id },
        payload: ANSWER,
      });
      await transport.publish(queueName(RESUME_ACTOR, namespace), { body: encodeEnvelope(resume) });
    }
    const result = await until(
      () => options.results.envelopes.find((e) => e.id === id),
      options.timeoutMs,
      "the approved digest",
    );
    write(`  ${result.id}: ${[...result.route.prev, "x-sink"].join(" -> ")}`);
    write(`  ${JSON.stringify(result.payload)}`);
    write("");
    write(
      `summary: act 2 in ${Date.now() - startedMs} ms: ${joined - 1} chunks joined at ${DIGEST_AGGREGATOR}, ` +
        `paused for a human (no process held it), resumed and ${String((result.payload as { status?: unknown }).status)}`,
    );
    return result;
  } finally {
    for (const actor of actors.reverse()) await actor.stop({ graceMs: 1_000 });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
