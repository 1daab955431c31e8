import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { printFigures } from "./harness/figures.js";
import { type LaunchedActor, launchActor, makeEnvelopes, meshQueues, rabbitMqEnv } from "./harness/mesh.js";
import { uniqueNamespace } from "./harness/ports.js";
import { createRawRabbitMq, rabbitMqUrl } from "./harness/raw-rabbitmq.js";
import { SinkCollector } from "./harness/sink-collector.js";
import { waitFor } from "./harness/wait.js";

const IN_FLIGHT = 50;
const HANDLER_MS = 3_000;
const GRACE_MS = 20_000;

function logLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

describe("reliability: SIGTERM drain (RabbitMQ)", () => {
  const launched: LaunchedActor[] = [];
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
  });

  it(`finishes and routes ${IN_FLIGHT} in-flight slow handlers within the grace period, exit 0`, async () => {
    const raw = await createRawRabbitMq();
    const namespace = uniqueNamespace("drain");
    const queues = meshQueues(["slow"], namespace);
    const actorQueue = queues.actors[0] ?? "";
    const log = join(mkdtempSync(join(tmpdir(), "asya-drain-")), "calls.log");
    try {
      for (const queue of [actorQueue, queues.sink]) await raw.ensureQueue(queue);
      const sink = await SinkCollector.start(raw, queues.sink);
      const actor = await launchActor({
        name: "slow",
        namespace,
        broker: rabbitMqEnv(rabbitMqUrl()),
        handler: fixtureHandler("slow.js"),
        concurrency: IN_FLIGHT,
        env: {
          SLOW_HANDLER_MS: String(HANDLER_MS),
          SLOW_HANDLER_LOG: log,
          ASYA_SHUTDOWN_GRACE: `${GRACE_MS}ms`,
        },
      });
      launched.push(actor);
      const { ids, bodies } = makeEnvelopes(`drain-${namespace}`, IN_FLIGHT, ["slow"]);
      await raw.publish(actorQueue, bodies);
      await waitFor(
        `${IN_FLIGHT} handler calls in flight`,
        () => logLines(log).filter((l) => l.startsWith("start ")).length === IN_FLIGHT,
        20_000,
      );
      const startsBeforeTerm = logLines(log).filter((l) => l.startsWith("start ")).length;
      const endsBeforeTerm = logLines(log).filter((l) => l.startsWith("end ")).length;
      const termAt = Date.now();
      actor.process.signal("SIGTERM");
      const exit = await actor.process.waitForExit(GRACE_MS + 10_000);
      const exitMs = Date.now() - termAt;
      // Everything was routed before the process exited; give the raw sink consumer a moment to read it.
      const expected = new Set(ids);
      await sink.waitUntil(() => sink.countOf(expected) === IN_FLIGHT, 10_000);
      const tally = sink.tally(ids);
      const lines = logLines(log);
      const startsPerKey = new Map<string, number>();
      for (const line of lines.filter((l) => l.startsWith("start "))) {
        const key = line.slice(6);
        startsPerKey.set(key, (startsPerKey.get(key) ?? 0) + 1);
      }
      const calledTwice = [...startsPerKey].filter(([, n]) => n > 1).map(([key]) => key);
      const leftInQueue = await raw.depth(actorQueue);
      await sink.stop();
      printFigures("drain/rabbitmq", {
        inFlight: startsBeforeTerm,
        finishedBeforeTerm: endsBeforeTerm,
        exitCode: exit.code,
        exitSignal: exit.signal,
        exitMs,
        graceMs: GRACE_MS,
        routed: tally.delivered,
        duplicates: tally.duplicates,
        lost: tally.missing.length,
        redelivered: calledTwice.length,
        leftInQueue,
      });
      expect(startsBeforeTerm).toBe(IN_FLIGHT);
      expect(endsBeforeTerm).toBe(0);
      expect(exit, actor.process.tail()).toEqual({ code: 0, signal: null });
      expect(exitMs).toBeLessThan(GRACE_MS);
      expect(lines.filter((l) => l.startsWith("end ")).length).toBe(IN_FLIGHT);
      expect(tally.missing).toEqual([]);
      expect(tally.duplicates).toBe(0);
      expect(calledTwice).toEqual([]);
      expect(leftInQueue).toBe(0);
      for (const id of ids) expect(sink.byId.get(id)?.[0]?.envelope?.status?.phase).toBe("succeeded");
    } finally {
      await raw.close();
    }
  }, 120_000);
});
