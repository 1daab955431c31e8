import type { Transport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";
import { createSqsTransport } from "@asya/transport-sqs";
import { afterAll, beforeAll } from "vitest";
import type { Emulator } from "./emulators.js";

/**
 * Runs the shared conformance suite on one emulator. A short visibility timeout (2 s) makes a dead
 * consumer's message come back quickly; long polls of 1 s keep stop()/close() fast (they wait for
 * the poll in flight so that nothing it returns is stranded).
 */
export function describeSqsConformance(emulator: Emulator, timeScale: number): void {
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());
  describeTransport({
    name: `sqs on ${emulator.name}`,
    create: (): Transport =>
      createSqsTransport({
        endpoint: emulator.endpoint(),
        region: "us-east-1",
        waitTimeSeconds: 1,
        visibilityTimeoutSec: 2,
        autoCreate: true,
        // fauxqs 1.9.2 deviates from AWS and rejects characters above U+FFFF (emoji); AWS and moto
        // accept them, and sqs-transport.int.test.ts asserts they go as plain text there.
        supplementaryCharsAsText: emulator.name !== "fauxqs",
      }),
    redeliveryTimeoutMs: 3_500,
    timeScale,
  });
}
