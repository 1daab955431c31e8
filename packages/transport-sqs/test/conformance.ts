import type { OutgoingMessage, PublishOptions, Transport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";
import { createSqsTransport } from "@asya/transport-sqs";
import { afterAll, beforeAll } from "vitest";
import type { Emulator } from "./emulators.js";

/**
 * moto 5.2.1's SQS does O(queue depth) work per request (ReceiveMessage takes ~1.2 s at a depth of
 * 2,000, SendMessageBatch ~0.2 s) and its threads thrash under 32 concurrent connections, so the
 * suite's 10,000-message test (publishAll, concurrency 32) would take hours with the backlog the
 * producer builds. On moto only, batch publishes are paced: one at a time, and only while the queue
 * holds fewer than 100 messages. Every call still goes through the real adapter; only the producer's
 * speed changes. AWS and fauxqs run the suite unpaced.
 */
function paced(transport: Transport): Transport {
  let chain: Promise<void> = Promise.resolve();
  const publishBatch = async (
    queue: string,
    messages: readonly OutgoingMessage[],
    options?: PublishOptions,
  ) => {
    const run = chain.then(async () => {
      while (((await transport.depth?.(queue)) ?? 0) >= 100) await new Promise((r) => setTimeout(r, 20));
      await transport.publishBatch!(queue, messages, options);
    });
    chain = run.catch(() => {});
    return run;
  };
  return Object.assign(Object.create(transport) as Transport, { publishBatch });
}

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
    create: (): Transport => {
      const transport = createSqsTransport({
        endpoint: emulator.endpoint(),
        region: "us-east-1",
        waitTimeSeconds: 1,
        visibilityTimeoutSec: 2,
        autoCreate: true,
        // fauxqs 1.9.2 deviates from AWS and rejects characters above U+FFFF (emoji); AWS and moto
        // accept them, and sqs-transport.int.test.ts asserts they go as plain text there.
        supplementaryCharsAsText: emulator.name !== "fauxqs",
      });
      return emulator.name === "moto" ? paced(transport) : transport;
    },
    redeliveryTimeoutMs: 3_500,
    timeScale,
  });
}
