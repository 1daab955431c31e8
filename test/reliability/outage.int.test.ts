import { afterAll, describe, expect, it } from "vitest";
import { type RabbitMqNode, startRabbitMqNode, withBrokerOutage } from "../setup/rabbitmq-node.js";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { elapsedMs, printFigures } from "./harness/figures.js";
import { type LaunchedActor, launchActor, makeEnvelopes, meshQueues, rabbitMqEnv } from "./harness/mesh.js";
import { uniqueNamespace } from "./harness/ports.js";
import { createRawRabbitMq } from "./harness/raw-rabbitmq.js";
import { waitForReadiness } from "./harness/readiness.js";
import { SinkCollector } from "./harness/sink-collector.js";

const ENVELOPES = Number(process.env.ASYA_TEST_OUTAGE_ENVELOPES ?? "2000");
const ACTORS = ["a", "b", "c"] as const;
const MIN_OUTAGE_MS = 4_000;

// The outage is staged on a RabbitMQ node private to this file (own port, data dir, node name), so
// `rabbitmqctl stop_app` never disturbs the shared broker other test files use in parallel.
describe("reliability: broker outage (RabbitMQ stop_app / start_app)", () => {
  const launched: LaunchedActor[] = [];
  let node: RabbitMqNode | undefined;
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
    await node?.stop();
  });

  it(`delivers all ${ENVELOPES} envelopes across an outage; /readyz goes not-ready and back`, async () => {
    node = await startRabbitMqNode();
    const broker = rabbitMqEnv(node.url);
    const namespace = uniqueNamespace("outage");
    const queues = meshQueues(ACTORS, namespace);
    let raw = await createRawRabbitMq(node.url);
    for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
    const sink = await SinkCollector.start(raw, queues.sink);
    for (const name of ACTORS) {
      launched.push(
        await launchActor({
          name,
          namespace,
          broker,
          handler: fixtureHandler("passthrough.js"),
          concurrency: 8,
        }),
      );
    }
    const { ids, bodies } = makeEnvelopes(`outage-${namespace}`, ENVELOPES, ACTORS);
    const expected = new Set(ids);
    const started = Date.now();
    await raw.publish(queues.actors[0] ?? "", bodies);
    await sink.waitUntil(() => sink.countOf(expected) >= ENVELOPES * 0.2, 60_000);
    const beforeOutage = sink.countOf(expected);

    const { result: notReadyMs, outageMs } = await withBrokerOutage(node, MIN_OUTAGE_MS, async () => {
      // Every actor must notice within 15 s and say so on /readyz, while staying alive.
      const times = await Promise.all(
        launched.map((actor) => waitForReadiness(actor.healthPort, false, 15_000)),
      );
      return Math.max(...times);
    });
    const duringOutage = sink.countOf(expected);
    const readyAgainMs = Math.max(
      ...(await Promise.all(launched.map((actor) => waitForReadiness(actor.healthPort, true, 60_000)))),
    );
    // The raw client does not reconnect: attach a new one to keep collecting.
    await raw.close();
    raw = await createRawRabbitMq(node.url);
    await sink.attach(raw, queues.sink);
    const done = await sink.waitUntil(() => sink.countOf(expected) === expected.size, 90_000);
    const tally = sink.tally(ids);
    const notSucceeded = ids.filter((id) => sink.byId.get(id)?.[0]?.envelope?.status?.phase !== "succeeded");
    await sink.stop();
    await raw.close();
    printFigures("outage/rabbitmq", {
      envelopes: ENVELOPES,
      delivered: tally.delivered,
      duplicates: tally.duplicates,
      lost: tally.missing.length,
      deliveredBeforeOutage: beforeOutage,
      deliveredWhenBrokerBack: duringOutage,
      outageMs,
      notReadyAfterMs: notReadyMs,
      readyAgainAfterMs: readyAgainMs,
      restarts: launched.map((actor) => actor.process.starts - 1).join(","),
      timeMs: elapsedMs(started),
      completed: done,
    });
    expect(tally.missing).toEqual([]);
    expect(tally.unexpected).toEqual([]);
    expect(notSucceeded.filter((id) => sink.byId.has(id))).toEqual([]);
    // The actors rode out the outage: nobody exited or was restarted.
    for (const actor of launched) {
      expect(actor.process.running, actor.process.tail()).toBe(true);
      expect(actor.process.starts).toBe(1);
    }
  }, 240_000);
});
