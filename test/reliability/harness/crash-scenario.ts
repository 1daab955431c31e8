import { deadLetterQueueName } from "@asya/transport";
import { elapsedMs, printFigures } from "./figures.js";
import { type BrokerEnv, type LaunchedActor, launchActor, makeEnvelopes, meshQueues } from "./mesh.js";
import { uniqueNamespace } from "./ports.js";
import { createPrng, seedFromEnv } from "./prng.js";
import type { RawBroker } from "./raw-broker.js";
import { SinkCollector } from "./sink-collector.js";

/** Options of {@link runCrashScenario}. */
export interface CrashScenarioOptions {
  readonly scenario: string;
  readonly raw: RawBroker;
  readonly broker: BrokerEnv;
  readonly handler: string;
  readonly envelopes: number;
  /** SIGKILL + restart this many times, each at a random moment, of a random actor. */
  readonly kills: number;
  readonly timeoutMs: number;
  /** Launched actors are pushed here so the caller can stop them in `afterAll`. */
  readonly launched: LaunchedActor[];
  readonly concurrency?: number;
  readonly env?: Readonly<Record<string, string>>;
}

/** Figures and findings of a crash run. */
export interface CrashScenarioResult {
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  /** Ids whose first sink copy is not `succeeded`. */
  readonly notSucceeded: readonly string[];
  /** Ids whose payload did not pass a, b and c in order. */
  readonly wrongHops: readonly string[];
  readonly duplicates: number;
  readonly kills: number;
  /** Messages found in the actors' and sink's dead-letter queues (undefined = broker cannot tell). */
  readonly deadLettered: number | undefined;
}

const ACTORS = ["a", "b", "c"] as const;

/**
 * A 3-actor pipeline a -> b -> c -> x-sink of child processes; `envelopes` envelopes published raw to
 * a; `kills` times, when the sink has seen a random share of them, one random actor is SIGKILLed and
 * restarted. Waits until every id reached x-sink (or the timeout) and prints the figures.
 */
export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashScenarioResult> {
  const seed = seedFromEnv();
  const prng = createPrng(seed);
  const namespace = uniqueNamespace("crash");
  const queues = meshQueues(ACTORS, namespace);
  for (const queue of [...queues.actors, queues.sink]) await options.raw.ensureQueue(queue);
  const sink = await SinkCollector.start(options.raw, queues.sink);
  const actors: LaunchedActor[] = [];
  for (const name of ACTORS) {
    const actor = await launchActor({
      name,
      namespace,
      broker: options.broker,
      handler: options.handler,
      concurrency: options.concurrency ?? 16,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    actors.push(actor);
    options.launched.push(actor);
  }
  const { ids, bodies } = makeEnvelopes(`crash-${namespace}`, options.envelopes, ACTORS);
  const expected = new Set(ids);
  // Kill moments: distinct random shares of the run, in order.
  const moments = Array.from({ length: options.kills }, () => 0.1 + prng.next() * 0.7).sort((x, y) => x - y);
  const started = Date.now();
  await options.raw.publish(queues.actors[0] ?? "", bodies);
  const publishMs = elapsedMs(started);
  const killLog: string[] = [];
  for (const share of moments) {
    const target = Math.ceil(share * options.envelopes);
    await sink.waitUntil(() => sink.countOf(expected) >= target, options.timeoutMs);
    const victim = prng.pick(actors);
    const at = sink.countOf(expected);
    await victim.killAndRestart();
    killLog.push(`${victim.process.options.label}@${at}`);
  }
  const done = await sink.waitUntil(
    () => sink.countOf(expected) === expected.size,
    Math.max(1_000, options.timeoutMs - elapsedMs(started)),
    () =>
      printFigures(`${options.scenario} (progress)`, {
        delivered: sink.countOf(expected),
        of: expected.size,
      }),
  );
  const totalMs = elapsedMs(started);
  const tally = sink.tally(ids);
  const notSucceeded: string[] = [];
  const wrongHops: string[] = [];
  for (const id of ids) {
    const records = sink.byId.get(id) ?? [];
    const first = records[0]?.envelope;
    if (first === undefined) continue;
    // Every copy (duplicates included) must be a success.
    for (const record of records) {
      const status = record.envelope?.status;
      if (status?.phase !== "succeeded") notSucceeded.push(`${id}:${status?.phase}/${status?.reason}`);
    }
    const hops = (first.payload as { hops?: unknown } | undefined)?.hops;
    if (JSON.stringify(hops) !== JSON.stringify(ACTORS)) wrongHops.push(`${id}:${JSON.stringify(hops)}`);
  }
  let deadLettered: number | undefined = 0;
  for (const queue of [...queues.actors, queues.sink]) {
    const depth = await options.raw.depth(deadLetterQueueName(queue)).catch(() => undefined);
    deadLettered = depth === undefined || deadLettered === undefined ? undefined : deadLettered + depth;
  }
  await sink.stop();
  if (tally.missing.length > 0) {
    for (const actor of actors) {
      process.stdout.write(
        `--- ${options.scenario}: output of ${actor.process.options.label} ---\n${actor.process.tail(3_000)}\n`,
      );
    }
  }
  printFigures(options.scenario, {
    seed,
    envelopes: options.envelopes,
    delivered: tally.delivered,
    duplicates: tally.duplicates,
    lost: tally.missing.length,
    kills: killLog.join(","),
    restarts: actors.map((a) => `${a.process.options.label}:${a.process.starts - 1}`).join(","),
    deadLettered: deadLettered ?? "n/a",
    publishMs,
    timeMs: totalMs,
    completed: done,
    rate: Math.round((tally.delivered / totalMs) * 1000),
  });
  return {
    missing: tally.missing,
    unexpected: tally.unexpected,
    notSucceeded,
    wrongHops,
    duplicates: tally.duplicates,
    kills: killLog.length,
    deadLettered,
  };
}
