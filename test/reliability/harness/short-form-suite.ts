import { afterAll, describe, it } from "vitest";
import { fixtureHandler, stopAll } from "./actor-process.js";
import { runCrashScenario } from "./crash-scenario.js";
import type { BrokerEnv, LaunchedActor } from "./mesh.js";
import { runPoisonScenario } from "./poison-scenario.js";
import type { RawBroker } from "./raw-broker.js";
import { expectNothingLost, expectPoisonContained, withRawBroker } from "./scenario-checks.js";

/** Options of {@link describeShortForm}: one broker's share of the short-form crash + poison suite. */
export interface ShortFormSuiteOptions {
  /** Suffix of the scenario names (`crash/<broker>`, `poison/<broker>`). */
  readonly broker: "sqs" | "pubsub";
  /** Title of the `describe` block. */
  readonly title: string;
  /** Opens a raw client; called inside each test (so `inject` runs in test context). */
  readonly connect: () => RawBroker;
  /** Broker env for the launched actors; called inside each test. */
  readonly brokerEnv: () => BrokerEnv;
  readonly crash: {
    readonly envelopes: number;
    readonly kills: number;
    /** Wording of the kills in the test title, e.g. `2 SIGKILLs`. */
    readonly killsTitle: string;
    readonly timeoutMs: number;
  };
  readonly poison: {
    readonly bodies: number;
    /** Size of the one oversized body, under the broker's own message limit. */
    readonly oversizedBytes: number;
  };
}

/** Actor concurrency of the short-form runs. */
const CONCURRENCY = 8;
const POISON_TIMEOUT_MS = 90_000;
/** Test timeouts on top of a scenario's own deadline (launching actors, closing clients). */
const CRASH_SLACK_MS = 50_000;
const POISON_SLACK_MS = 60_000;

/**
 * Defines the short form of the reliability suite for one emulated broker: a crash run (3 actors,
 * `kills` SIGKILLs, nothing lost) and a poison run (fuzzed bodies end in x-sump, the actor stays up).
 *
 * @example
 * describeShortForm({ broker: "sqs", title: "reliability: short form on SQS (moto)", ... });
 */
export function describeShortForm(options: ShortFormSuiteOptions): void {
  const { crash, poison } = options;
  describe(options.title, () => {
    const launched: LaunchedActor[] = [];
    afterAll(async () => {
      await stopAll(launched.map((actor) => actor.process));
    });

    it(
      `crash: ${crash.envelopes} envelopes through 3 actors, ${crash.killsTitle}, none lost`,
      async () => {
        const result = await withRawBroker(options.connect(), (raw) =>
          runCrashScenario({
            scenario: `crash/${options.broker}`,
            raw,
            broker: options.brokerEnv(),
            handler: fixtureHandler("passthrough.js"),
            envelopes: crash.envelopes,
            kills: crash.kills,
            timeoutMs: crash.timeoutMs,
            launched,
            concurrency: CONCURRENCY,
          }),
        );
        expectNothingLost(result, crash.kills);
      },
      crash.timeoutMs + CRASH_SLACK_MS,
    );

    it(
      `poison: ${poison.bodies} fuzzed bodies end in x-sump with their bytes; the actor stays up`,
      async () => {
        const result = await withRawBroker(options.connect(), (raw) =>
          runPoisonScenario({
            scenario: `poison/${options.broker}`,
            raw,
            broker: options.brokerEnv(),
            handler: fixtureHandler("passthrough.js"),
            count: poison.bodies,
            oversizedBytes: poison.oversizedBytes,
            timeoutMs: POISON_TIMEOUT_MS,
            launched,
            concurrency: CONCURRENCY,
          }),
        );
        expectPoisonContained(result);
      },
      POISON_TIMEOUT_MS + POISON_SLACK_MS,
    );
  });
}
