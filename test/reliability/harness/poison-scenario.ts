import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { elapsedMs, printFigures } from "./figures.js";
import { corpusBytes, corpusKinds, digestOf, type FuzzBody, generateFuzzCorpus } from "./fuzz-corpus.js";
import { type BrokerEnv, type LaunchedActor, launchActor, makeEnvelopes, meshQueues } from "./mesh.js";
import { uniqueNamespace } from "./ports.js";
import { seedFromEnv } from "./prng.js";
import type { RawBroker } from "./raw-broker.js";
import { probe } from "./readiness.js";
import type { SinkEnvelope } from "./sink-collector.js";
import { SinkCollector } from "./sink-collector.js";

/** Options of {@link runPoisonScenario}. */
export interface PoisonScenarioOptions {
  readonly scenario: string;
  readonly raw: RawBroker;
  readonly broker: BrokerEnv;
  readonly handler: string;
  readonly count: number;
  /** Size of the one oversized body (0 = none). */
  readonly oversizedBytes: number;
  readonly timeoutMs: number;
  readonly launched: LaunchedActor[];
  readonly concurrency?: number;
}

/** Findings of a poison run. */
export interface PoisonScenarioResult {
  /** Corpus bodies that never reached x-sump with their original bytes. */
  readonly missing: readonly FuzzBody[];
  /** x-sump records without a reason or error message. */
  readonly withoutReason: readonly string[];
  /** x-sump records whose bytes match no corpus body. */
  readonly unmatched: number;
  readonly duplicates: number;
  readonly actorAlive: boolean;
  readonly actorRestarts: number;
  readonly healthz: number;
  /** Phase of the valid envelope sent after the corpus, as stored by x-sink (undefined = not found). */
  readonly validPhase: string | undefined;
  readonly reasons: Readonly<Record<string, number>>;
}

interface RawBodyPayload {
  readonly encoding: string;
  readonly body: string;
}

function isRawBodyPayload(value: unknown): value is RawBodyPayload {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as RawBodyPayload).body === "string" &&
    ((value as RawBodyPayload).encoding === "utf8" || (value as RawBodyPayload).encoding === "base64")
  );
}

/**
 * The original bytes kept in a failed envelope: `payload` = `{ encoding, body }` (utf8 or base64).
 * When a crew actor could not parse the terminal envelope (e.g. over its size limit) it wraps it
 * once more; unwrap until the bytes match a corpus body.
 */
export function keptBytes(
  envelope: SinkEnvelope,
  known: ReadonlyMap<string, FuzzBody>,
): { digest: string; layers: number } | undefined {
  let current: unknown = envelope;
  for (let layer = 1; layer <= 3; layer++) {
    const payload = (current as { payload?: unknown } | undefined)?.payload;
    if (!isRawBodyPayload(payload)) return undefined;
    const bytes =
      payload.encoding === "base64"
        ? new Uint8Array(Buffer.from(payload.body, "base64"))
        : new TextEncoder().encode(payload.body);
    const digest = digestOf(bytes);
    if (known.has(digest)) return { digest, layers: layer };
    try {
      current = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function findInJsonl(file: string, id: string): SinkEnvelope | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    if (!line.includes(id)) continue;
    try {
      const value = JSON.parse(line) as SinkEnvelope & { envelope?: SinkEnvelope };
      const envelope = value.envelope ?? value;
      if (envelope.id === id) return envelope;
    } catch {
      // partial line
    }
  }
  return undefined;
}

/**
 * Publishes a fuzz corpus straight to actor `a`'s queue with the raw client, then one valid
 * envelope. Runs `a` and the `x-sink` crew (JSONL store) as child processes and reads `x-sump`'s
 * queue raw: every body must arrive there with its original bytes and a reason, the actor must stay
 * up, and the valid envelope must be stored by x-sink as succeeded.
 */
export async function runPoisonScenario(options: PoisonScenarioOptions): Promise<PoisonScenarioResult> {
  const seed = seedFromEnv();
  const namespace = uniqueNamespace("poison");
  const queues = meshQueues(["a"], namespace);
  const actorQueue = queues.actors[0] ?? "";
  for (const queue of [actorQueue, queues.sink, queues.sump]) await options.raw.ensureQueue(queue);
  const sump = await SinkCollector.start(options.raw, queues.sump);
  const sinkFile = join(mkdtempSync(join(tmpdir(), "asya-poison-")), "results.jsonl");
  const actor = await launchActor({
    name: "a",
    namespace,
    broker: options.broker,
    handler: options.handler,
    concurrency: options.concurrency ?? 32,
  });
  options.launched.push(actor);
  const sinkCrew = await launchActor({
    name: "x-sink",
    crew: "x-sink",
    namespace,
    broker: options.broker,
    concurrency: options.concurrency ?? 32,
    env: { ASYA_SINK_STORE: "file", ASYA_SINK_FILE: sinkFile },
  });
  options.launched.push(sinkCrew);

  const corpus = generateFuzzCorpus({
    count: options.count,
    seed,
    actor: "a",
    oversizedBytes: options.oversizedBytes,
  });
  const known = new Map(corpus.map((body) => [body.digest, body]));
  const started = Date.now();
  await options.raw.publish(
    actorQueue,
    corpus.map((body) => body.bytes),
  );
  const valid = makeEnvelopes(`valid-${namespace}`, 1, ["a"]);
  await options.raw.publish(actorQueue, valid.bodies);
  const publishMs = elapsedMs(started);
  const validId = valid.ids[0] ?? "";

  const seen = new Map<string, number>();
  let scanned = 0;
  let unmatched = 0;
  const withoutReason: string[] = [];
  const reasons: Record<string, number> = {};
  let wrapped = 0;
  const scan = (): void => {
    for (; scanned < sump.records.length; scanned++) {
      const record = sump.records[scanned];
      const envelope = record?.envelope;
      if (envelope === undefined) {
        unmatched += 1;
        continue;
      }
      const kept = keptBytes(envelope, known);
      if (kept === undefined) {
        unmatched += 1;
        continue;
      }
      if (kept.layers > 1) wrapped += 1;
      seen.set(kept.digest, (seen.get(kept.digest) ?? 0) + 1);
      const reason = envelope.status?.reason;
      reasons[reason ?? "none"] = (reasons[reason ?? "none"] ?? 0) + 1;
      if (envelope.status?.phase !== "failed" || reason === undefined || !envelope.status.error?.message) {
        withoutReason.push(`${envelope.id}:${envelope.status?.phase}/${reason}`);
      }
    }
  };
  let validEnvelope: SinkEnvelope | undefined;
  const done = await sump.waitUntil(
    () => {
      scan();
      if (seen.size < corpus.length) return false;
      validEnvelope ??= findInJsonl(sinkFile, validId);
      return validEnvelope !== undefined;
    },
    options.timeoutMs,
    () => printFigures(`${options.scenario} (progress)`, { inSump: seen.size, of: corpus.length }),
  );
  const totalMs = elapsedMs(started);
  validEnvelope ??= findInJsonl(sinkFile, validId);
  const healthz = await probe(actor.healthPort, "/healthz");
  await sump.stop();
  const missing = corpus.filter((body) => !seen.has(body.digest));
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  printFigures(options.scenario, {
    seed,
    bodies: corpus.length,
    corpusMiB: (corpusBytes(corpus) / 1048576).toFixed(1),
    kinds: corpusKinds(corpus),
    inSump: seen.size,
    lost: missing.length,
    duplicates,
    unmatched,
    rewrappedByCrew: wrapped,
    reasons,
    validPhase: validEnvelope?.status?.phase ?? "missing",
    actorRestarts: actor.process.starts - 1,
    healthz,
    publishMs,
    timeMs: totalMs,
    completed: done,
  });
  return {
    missing,
    withoutReason,
    unmatched,
    duplicates,
    actorAlive: actor.process.running,
    actorRestarts: actor.process.starts - 1,
    healthz,
    validPhase: validEnvelope?.status?.phase,
    reasons,
  };
}
