import { describeTransport } from "@asya/transport/testing";
import { inject } from "vitest";
import { createTestTransport } from "./helpers.js";

// A dead-letter policy makes Pub/Sub count deliveries (deliveryAttempt), so counts survive a
// consumer's death; ack deadline 10 s (the minimum) bounds redelivery of a lost ack or lease.
describeTransport({
  name: `pubsub (${inject("pubsubBackend")})`,
  create: () => createTestTransport({ maxDeliveryAttempts: 100 }),
  redeliveryTimeoutMs: 11_000,
});
