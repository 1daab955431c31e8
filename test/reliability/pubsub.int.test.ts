import { afterAll, describe, expect, inject, it } from "vitest";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { runCrashScenario } from "./harness/crash-scenario.js";
import { type LaunchedActor, pubSubEnv } from "./harness/mesh.js";
import { runPoisonScenario } from "./harness/poison-scenario.js";
import { createRawPubSub } from "./harness/raw-pubsub.js";

const CRASH_ENVELOPES = Number(process.env.ASYA_TEST_PUBSUB_CRASH_ENVELOPES ?? "200");
// After a SIGKILL, Pub/Sub redelivers leased messages only when their ack deadline lapses; the
// actors run with ASYA_PUBSUB_ACK_DEADLINE_SEC=10 (see harness/mesh.ts), so a few lapses fit.
const TIMEOUT_MS = Number(process.env.ASYA_TEST_EMULATOR_TIMEOUT_MS ?? "60000");
const POISON_BODIES = Number(process.env.ASYA_TEST_PUBSUB_POISON_BODIES ?? "300");
/** Pub/Sub caps a message at 10 MB; stay below it and below the runtime's 10 MiB limit so the body is parsed (and rejected). */
const OVERSIZED_BYTES = 9 * 1024 * 1024;

describe("reliability: short form on Pub/Sub (emulator)", () => {
  const launched: LaunchedActor[] = [];
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
  });

  it(
    `crash: ${CRASH_ENVELOPES} envelopes through 3 actors, 1 SIGKILL (redelivery waits out the 10 s ack deadline), none lost`,
    async () => {
      const raw = createRawPubSub(inject("pubsubEmulatorHost"));
      try {
        const result = await runCrashScenario({
          scenario: "crash/pubsub",
          raw,
          broker: pubSubEnv(inject("pubsubEmulatorHost")),
          handler: fixtureHandler("passthrough.js"),
          envelopes: CRASH_ENVELOPES,
          kills: 1,
          timeoutMs: TIMEOUT_MS,
          launched,
          concurrency: 8,
        });
        expect(result.missing).toEqual([]);
        expect(result.notSucceeded).toEqual([]);
        expect(result.wrongHops).toEqual([]);
        expect(result.unexpected).toEqual([]);
        expect(result.kills).toBe(1);
      } finally {
        await raw.close();
      }
    },
    TIMEOUT_MS + 50_000,
  );

  it(`poison: ${POISON_BODIES} fuzzed bodies end in x-sump with their bytes; the actor stays up`, async () => {
    const raw = createRawPubSub(inject("pubsubEmulatorHost"));
    try {
      const result = await runPoisonScenario({
        scenario: "poison/pubsub",
        raw,
        broker: pubSubEnv(inject("pubsubEmulatorHost")),
        handler: fixtureHandler("passthrough.js"),
        count: POISON_BODIES,
        oversizedBytes: OVERSIZED_BYTES,
        timeoutMs: 90_000,
        launched,
        concurrency: 8,
      });
      expect(result.missing.map((body) => `${body.index}:${body.kind}`)).toEqual([]);
      expect(result.withoutReason).toEqual([]);
      expect(result.unmatched).toBe(0);
      expect(result.actorAlive).toBe(true);
      expect(result.actorRestarts).toBe(0);
      expect(result.healthz).toBe(200);
      expect(result.validPhase).toBe("succeeded");
    } finally {
      await raw.close();
    }
  }, 150_000);
});
