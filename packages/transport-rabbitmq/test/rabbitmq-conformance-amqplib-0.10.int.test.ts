import { expect, it, vi } from "vitest";
import { describeRabbitMqConformance } from "./conformance.js";

// The peer range also admits amqplib 0.10.x: the same suite with the transport loading the real
// amqplib 0.10.9 (an npm alias), so both majors stay proven against the broker.
vi.mock("amqplib", async () => await import("amqplib-0.10"));

it('the transport\'s `import("amqplib")` resolves to amqplib 0.10 in this file', async () => {
  const loaded = await import("amqplib");
  const legacy = await import("amqplib-0.10");
  expect(loaded.connect).toBe(legacy.connect);
  // 2.x has connection recovery; 0.10 does not: proves which major is under test.
  expect("connectWithRecoveryPromise" in legacy).toBe(false);
});

describeRabbitMqConformance("rabbitmq (amqplib 0.10)");
