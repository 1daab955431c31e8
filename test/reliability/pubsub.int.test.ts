import { inject } from "vitest";
import { pubSubEnv } from "./harness/mesh.js";
import { createRawPubSub } from "./harness/raw-pubsub.js";
import { describeShortForm } from "./harness/short-form-suite.js";

describeShortForm({
  broker: "pubsub",
  title: "reliability: short form on Pub/Sub (emulator)",
  connect: () => createRawPubSub(inject("pubsubEmulatorHost")),
  brokerEnv: () => pubSubEnv(inject("pubsubEmulatorHost")),
  crash: {
    envelopes: Number(process.env.ASYA_TEST_PUBSUB_CRASH_ENVELOPES ?? "200"),
    kills: 1,
    killsTitle: "1 SIGKILL (redelivery waits out the 10 s ack deadline)",
    // After a SIGKILL, Pub/Sub redelivers leased messages only when their ack deadline lapses; the
    // actors run with ASYA_PUBSUB_ACK_DEADLINE_SEC=10 (see harness/mesh.ts), so a few lapses fit.
    timeoutMs: Number(process.env.ASYA_TEST_EMULATOR_TIMEOUT_MS ?? "60000"),
  },
  poison: {
    bodies: Number(process.env.ASYA_TEST_PUBSUB_POISON_BODIES ?? "300"),
    // Pub/Sub caps a message at 10 MB; stay below it and below the runtime's 10 MiB limit so the
    // body is parsed (and rejected).
    oversizedBytes: 9 * 1024 * 1024,
  },
});
