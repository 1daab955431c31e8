import {
  defineTransport,
  envBool,
  envInt,
  envValue,
  QUEUE_AUTO_CREATE_OFF,
  QUEUE_AUTO_CREATE_VARIABLE,
} from "@asya/transport";
import { SQS_ENV, type SqsKubernetesSettings, transportKubernetes } from "./kubernetes.js";
import { createSqsTransport } from "./sqs-transport.js";
import type { SqsTransportOptions } from "./sqs-transport-options.js";

/**
 * `ASYA_TRANSPORT=sqs`: the SQS adapter as the CLI, the configuration and the docs find it (see
 * `TRANSPORT_PACKAGES` in `@asya/transport`). Credentials come from the SDK's default chain.
 */
export const transportDescriptor = defineTransport<SqsTransportOptions, SqsKubernetesSettings>({
  kind: "sqs",
  packageName: "@asya/transport-sqs",
  sdk: "@aws-sdk/client-sqs",
  env: [
    QUEUE_AUTO_CREATE_OFF,
    { name: SQS_ENV.endpoint, default: "AWS", meaning: "SQS endpoint (emulators)" },
    { name: SQS_ENV.region, default: "AWS_REGION", meaning: "SQS region" },
    { name: SQS_ENV.waitTimeSeconds, default: "20", meaning: "long-poll wait, 0-20" },
    { name: SQS_ENV.visibilityTimeoutSec, default: "30", meaning: "visibility timeout, seconds" },
  ],
  fromEnv(env) {
    const region = envValue(env, SQS_ENV.region) ?? envValue(env, "AWS_REGION");
    const endpoint = envValue(env, SQS_ENV.endpoint);
    const waitTimeSeconds = envInt(env, "sqs", SQS_ENV.waitTimeSeconds, 0, 20);
    const visibilityTimeoutSec = envInt(env, "sqs", SQS_ENV.visibilityTimeoutSec, 0, 43_200);
    const autoCreate = envBool(env, "sqs", QUEUE_AUTO_CREATE_VARIABLE);
    return {
      ...(autoCreate === undefined ? {} : { autoCreate }),
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(waitTimeSeconds === undefined ? {} : { waitTimeSeconds }),
      ...(visibilityTimeoutSec === undefined ? {} : { visibilityTimeoutSec }),
    };
  },
  kubernetes: transportKubernetes,
  create: (options) => createSqsTransport(options),
});
