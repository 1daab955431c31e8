import { afterEach, describe } from "vitest";
import { consumerCases } from "./consumer-cases.js";
import { deliveryCases } from "./delivery-cases.js";
import { type DescribeTransportOptions, Harness } from "./harness.js";
import { lifecycleCases } from "./lifecycle-cases.js";

/**
 * Register the Transport conformance suite with vitest: every adapter runs it against its real
 * broker. Capability-aware but never lenient: a claimed capability is tested, and an unclaimed one
 * is checked for its documented fallback instead of being skipped. Each test uses fresh queues
 * (`asya-conf-<hex>`, prepared with `prepareQueue`) and closes every transport it created.
 *
 * @example
 * ```ts
 * import { describeTransport } from "@asya/transport/testing";
 * describeTransport({ name: "memory", create: () => createMemoryTransport({ broker }) });
 * ```
 */
export function describeTransport(options: DescribeTransportOptions): void {
  describe(`Transport conformance: ${options.name}`, () => {
    const harness = new Harness(options);
    afterEach(() => harness.cleanup(), harness.testTimeout());
    describe("delivery", () => deliveryCases(harness));
    describe("consumers", () => consumerCases(harness));
    describe("lifecycle and limits", () => lifecycleCases(harness));
    if (options.extraTests !== undefined) {
      describe("transport-specific", () => options.extraTests!(harness.context()));
    }
  });
}
