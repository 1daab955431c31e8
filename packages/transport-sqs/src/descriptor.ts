import { defineTransport, envBool, envInt, envValue, QUEUE_AUTO_CREATE_VARIABLE } from "@asya/transport";
import { createSqsTransport } from "./sqs-transport.js";
import type { SqsTransportOptions } from "./sqs-transport-options.js";

/**
 * `ASYA_TRANSPORT=sqs`: the SQS adapter as the CLI, the configuration and the docs find it (see
 * `TRANSPORT_PACKAGES` in `@asya/transport`). Credentials come from the SDK's default chain.
 */
export const transportDescriptor = defineTransport<SqsTransportOptions>({
  kind: "sqs",
  packageName: "@asya/transport-sqs",
  sdk: "@aws-sdk/client-sqs",
  env: [
    {
      name: QUEUE_AUTO_CREATE_VARIABLE,
      default: "false",
      meaning:
        "create missing queues (and their DLQs) on first use; off in production, where manifests own them",
    },
    { name: "ASYA_SQS_ENDPOINT", default: "AWS", meaning: "SQS endpoint (emulators)" },
    { name: "ASYA_AWS_REGION", default: "AWS_REGION", meaning: "SQS region" },
    { name: "ASYA_SQS_WAIT_TIME_SECONDS", default: "20", meaning: "long-poll wait, 0-20" },
    { name: "ASYA_SQS_VISIBILITY_TIMEOUT", default: "30", meaning: "visibility timeout, seconds" },
  ],
  fromEnv(env) {
    const region = envValue(env, "ASYA_AWS_REGION") ?? envValue(env, "AWS_REGION");
    const endpoint = envValue(env, "ASYA_SQS_ENDPOINT");
    const waitTimeSeconds = envInt(env, "sqs", "ASYA_SQS_WAIT_TIME_SECONDS", 0, 20);
    const visibilityTimeoutSec = envInt(env, "sqs", "ASYA_SQS_VISIBILITY_TIMEOUT", 0, 43_200);
    const autoCreate = envBool(env, "sqs", QUEUE_AUTO_CREATE_VARIABLE);
    return {
      ...(autoCreate === undefined ? {} : { autoCreate }),
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(waitTimeSeconds === undefined ? {} : { waitTimeSeconds }),
      ...(visibilityTimeoutSec === undefined ? {} : { visibilityTimeoutSec }),
    };
  },
  create: (options) => createSqsTransport(options),
});
