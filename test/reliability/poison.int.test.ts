import { afterAll, describe, it } from "vitest";
import { fixtureHandler, stopAll } from "./harness/actor-process.js";
import { type LaunchedActor, rabbitMqEnv } from "./harness/mesh.js";
import { runPoisonScenario } from "./harness/poison-scenario.js";
import { createRawRabbitMq, rabbitMqUrl } from "./harness/raw-rabbitmq.js";
import { expectPoisonContained, withRawBroker } from "./harness/scenario-checks.js";

const BODIES = Number(process.env.ASYA_TEST_POISON_BODIES ?? "10000");
/** One byte over the runtime's default ASYA_MAX_MESSAGE_BYTES (10 MiB); RabbitMQ accepts it. */
const OVERSIZED_BYTES = 10 * 1024 * 1024 + 1;

describe("reliability: poison input (RabbitMQ)", () => {
  const launched: LaunchedActor[] = [];
  afterAll(async () => {
    await stopAll(launched.map((actor) => actor.process));
  });

  it(`routes ${BODIES} fuzzed bodies to x-sump with their bytes and a reason; the actor stays up`, async () => {
    const result = await withRawBroker(await createRawRabbitMq(), (raw) =>
      runPoisonScenario({
        scenario: "poison/rabbitmq",
        raw,
        broker: rabbitMqEnv(rabbitMqUrl()),
        handler: fixtureHandler("passthrough.js"),
        count: BODIES,
        oversizedBytes: OVERSIZED_BYTES,
        timeoutMs: 120_000,
        launched,
      }),
    );
    expectPoisonContained(result);
  }, 200_000);
});
