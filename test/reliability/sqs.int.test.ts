import { inject } from "vitest";
import { sqsEnv } from "./harness/mesh.js";
import { createRawSqs } from "./harness/raw-sqs.js";
import { describeShortForm } from "./harness/short-form-suite.js";

describeShortForm({
  broker: "sqs",
  title: "reliability: short form on SQS (moto)",
  connect: () => createRawSqs(inject("sqsEndpoint")),
  brokerEnv: () => sqsEnv(inject("sqsEndpoint")),
  crash: {
    envelopes: Number(process.env.ASYA_TEST_SQS_CRASH_ENVELOPES ?? "300"),
    kills: 2,
    killsTitle: "2 SIGKILLs",
    timeoutMs: Number(process.env.ASYA_TEST_EMULATOR_TIMEOUT_MS ?? "100000"),
  },
  poison: {
    bodies: Number(process.env.ASYA_TEST_SQS_POISON_BODIES ?? "300"),
    // SQS (and moto) cap a message at 1 MiB; the runtime wraps a rejected body in a slightly larger envelope.
    oversizedBytes: 1024 * 1024 - 16 * 1024,
  },
});
