import { afterAll, describe, expect, it } from "vitest";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { runCrashScenario } from "./harness/crash-scenario.js";
import type { LaunchedActor } from "./harness/mesh.js";
import { rabbitMqEnv } from "./harness/mesh.js";
import { createRawRabbitMq, rabbitMqUrl } from "./harness/raw-rabbitmq.js";
import { expectNothingLost, withRawBroker } from "./harness/scenario-checks.js";

const ENVELOPES = Number(process.env.ASYA_TEST_CRASH_ENVELOPES ?? "5000");

describe("reliability: crash (RabbitMQ)", () => {
  const launched: LaunchedActor[] = [];
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
  });

  it(`delivers every one of ${ENVELOPES} envelopes through a 3-actor pipeline despite 3 SIGKILLs`, async () => {
    const result = await withRawBroker(await createRawRabbitMq(), (raw) =>
      runCrashScenario({
        scenario: "crash/rabbitmq",
        raw,
        broker: rabbitMqEnv(rabbitMqUrl()),
        handler: fixtureHandler("passthrough.js"),
        envelopes: ENVELOPES,
        kills: 3,
        timeoutMs: 100_000,
        launched,
      }),
    );
    expectNothingLost(result, 3);
    expect(result.deadLettered).toBe(0);
  }, 180_000);
});
