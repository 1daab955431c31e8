import { expect } from "vitest";
import type { CrashScenarioResult } from "./crash-scenario.js";
import type { PoisonScenarioResult } from "./poison-scenario.js";
import type { RawBroker } from "./raw-broker.js";

/**
 * Runs `body` with `raw` and always closes `raw` afterwards, whether `body` resolves or throws.
 *
 * @example
 * await withRawBroker(createRawSqs(endpoint), (raw) => runCrashScenario({ raw, ... }));
 */
export async function withRawBroker<T>(raw: RawBroker, body: (raw: RawBroker) => Promise<T>): Promise<T> {
  try {
    return await body(raw);
  } finally {
    await raw.close();
  }
}

/**
 * Asserts a crash run lost nothing: every id reached x-sink, every copy succeeded after passing
 * a, b and c in order, nothing unexpected arrived, and exactly `kills` SIGKILLs happened.
 */
export function expectNothingLost(result: CrashScenarioResult, kills: number): void {
  expect(result.missing).toEqual([]);
  expect(result.notSucceeded).toEqual([]);
  expect(result.wrongHops).toEqual([]);
  expect(result.unexpected).toEqual([]);
  expect(result.kills).toBe(kills);
}

/**
 * Asserts a poison run contained every body: each reached x-sump with its bytes and a reason,
 * no x-sump record is foreign, the actor never restarted and is healthy, and the valid envelope
 * sent afterwards succeeded.
 */
export function expectPoisonContained(result: PoisonScenarioResult): void {
  expect(result.missing.map((body) => `${body.index}:${body.kind}`)).toEqual([]);
  expect(result.withoutReason).toEqual([]);
  expect(result.unmatched).toBe(0);
  expect(result.actorAlive).toBe(true);
  expect(result.actorRestarts).toBe(0);
  expect(result.healthz).toBe(200);
  expect(result.validPhase).toBe("succeeded");
}
