import { afterAll, describe, expect, inject, it } from "vitest";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { runCrashScenario } from "./harness/crash-scenario.js";
import { type LaunchedActor, sqsEnv } from "./harness/mesh.js";
import { runPoisonScenario } from "./harness/poison-scenario.js";
import { createRawSqs } from "./harness/raw-sqs.js";

const CRASH_ENVELOPES = Number(process.env.ASYA_TEST_SQS_CRASH_ENVELOPES ?? "300");
const TIMEOUT_MS = Number(process.env.ASYA_TEST_EMULATOR_TIMEOUT_MS ?? "100000");
const POISON_BODIES = Number(process.env.ASYA_TEST_SQS_POISON_BODIES ?? "300");
/** SQS (and moto) cap a message at 1 MiB; the runtime wraps a rejected body in a slightly larger envelope. */
const OVERSIZED_BYTES = 1024 * 1024 - 16 * 1024;

describe("reliability: short form on SQS (moto)", () => {
  const launched: LaunchedActor[] = [];
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
  });

  it(
    `crash: ${CRASH_ENVELOPES} envelopes through 3 actors, 2 SIGKILLs, none lost`,
    async () => {
      const raw = createRawSqs(inject("sqsEndpoint"));
      try {
        const result = await runCrashScenario({
          scenario: "crash/sqs",
          raw,
          broker: sqsEnv(inject("sqsEndpoint")),
          handler: fixtureHandler("passthrough.js"),
          envelopes: CRASH_ENVELOPES,
          kills: 2,
          timeoutMs: TIMEOUT_MS,
          launched,
          concurrency: 8,
        });
        expect(result.missing).toEqual([]);
        expect(result.notSucceeded).toEqual([]);
        expect(result.wrongHops).toEqual([]);
        expect(result.unexpected).toEqual([]);
        expect(result.kills).toBe(2);
      } finally {
        await raw.close();
      }
    },
    TIMEOUT_MS + 50_000,
  );

  it(`poison: ${POISON_BODIES} fuzzed bodies end in x-sump with their bytes; the actor stays up`, async () => {
    const raw = createRawSqs(inject("sqsEndpoint"));
    try {
      const result = await runPoisonScenario({
        scenario: "poison/sqs",
        raw,
        broker: sqsEnv(inject("sqsEndpoint")),
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
