import { randomBytes } from "node:crypto";
import { loadTransport } from "@asya/cli";
import { runDemo } from "@asya/cli/demo";
import { describe, expect, inject, it } from "vitest";
import { testRabbitMqUrl } from "../../../test/setup/rabbitmq.js";

type TransportConfig = Parameters<typeof loadTransport>[0];

/** Broker settings, read when the test runs (the integration global setup starts the emulators). */
const brokers: Array<[name: string, config: () => TransportConfig, timeoutMs: number]> = [
  ["RabbitMQ", () => ({ kind: "rabbitmq", options: { url: testRabbitMqUrl() } }), 60_000],
  [
    "SQS (moto)",
    () => {
      const endpoint = process.env.ASYA_TEST_SQS_ENDPOINT;
      if (!endpoint) throw new Error("ASYA_TEST_SQS_ENDPOINT is not set (integration global setup)");
      // The emulator accepts any credentials; the AWS SDK reads them from its default chain.
      process.env.AWS_ACCESS_KEY_ID ??= "test";
      process.env.AWS_SECRET_ACCESS_KEY ??= "test";
      return {
        kind: "sqs",
        options: { endpoint, region: "us-east-1", waitTimeSeconds: 1, autoCreate: true },
      };
    },
    90_000,
  ],
  [
    "the Pub/Sub emulator",
    () => {
      const apiEndpoint = inject("pubsubEmulatorHost");
      if (!apiEndpoint) throw new Error("no Pub/Sub emulator host (integration global setup)");
      return { kind: "pubsub", options: { projectId: "asya-runtime-test", apiEndpoint, autoCreate: true } };
    },
    90_000,
  ],
];

// The same demo handlers, unchanged, on each real broker: only the transport differs.
describe.each(brokers)("demo pipeline on %s", (_name, config, timeoutMs) => {
  it("ends every envelope in the same states as on the memory transport", async () => {
    const transport = await loadTransport(config());
    try {
      const namespace = `demo${randomBytes(4).toString("hex")}`;
      const result = await runDemo({ transport, namespace, write: () => undefined, timeoutMs });
      const states = Object.fromEntries(result.results.map((e) => [e.id, e.status?.reason]));
      expect(states).toEqual({
        "doc-1": "Completed",
        "doc-1-1": "Completed",
        "doc-1-2": "Completed",
        "doc-2": "Completed",
        "doc-2-1": "Completed",
        "doc-3": "Completed",
        "doc-3-1": "PolicyExhausted",
      });
      expect(result.failures.map((e) => e.id)).toEqual(["doc-3-1"]);
    } finally {
      await transport.close();
    }
  });
});
