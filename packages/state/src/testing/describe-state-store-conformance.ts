import { afterEach, describe } from "vitest";
import { atomicityCases } from "./atomicity-cases.js";
import { Harness, type StateStoreConformanceOptions } from "./harness.js";
import { keyCases } from "./key-cases.js";
import { valueCases } from "./value-cases.js";

/**
 * Registers the StateStore conformance suite with vitest: every backend runs it against its real
 * server or emulator. Each test uses keys of its own (`conf-<hex>/...`) and closes every store it
 * created; the caller owns the backend (a table, bucket or directory per test file) and removes it.
 *
 * @example
 * ```ts
 * import { createMemoryStateStore } from "@asya/state";
 * import { describeStateStoreConformance } from "@asya/state/testing";
 * describeStateStoreConformance("memory", { create: async () => createMemoryStateStore(), shared: false });
 * ```
 */
export function describeStateStoreConformance(name: string, options: StateStoreConformanceOptions): void {
  describe(`StateStore conformance: ${name}`, () => {
    const harness = new Harness(options);
    afterEach(() => harness.cleanup());
    describe("values", () => valueCases(harness));
    describe("putIfAbsent and TTL", () => atomicityCases(harness));
    describe("keys, listing and lifecycle", () => keyCases(harness));
  });
}
