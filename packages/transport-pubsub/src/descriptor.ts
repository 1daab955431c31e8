import {
  defineTransport,
  envBool,
  envError,
  envInt,
  envValue,
  QUEUE_AUTO_CREATE_VARIABLE,
} from "@asya/transport";
import type { PubSubTransportOptions } from "./pubsub-options.js";
import { createPubSubTransport } from "./pubsub-transport.js";

/**
 * `ASYA_TRANSPORT=pubsub`: the Pub/Sub adapter as the CLI, the configuration and the docs find it
 * (see `TRANSPORT_PACKAGES` in `@asya/transport`).
 */
export const transportDescriptor = defineTransport<PubSubTransportOptions>({
  kind: "pubsub",
  packageName: "@asya/transport-pubsub",
  sdk: "@google-cloud/pubsub",
  env: [
    {
      name: QUEUE_AUTO_CREATE_VARIABLE,
      default: "false",
      meaning:
        "create missing queues (and their DLQs) on first use; off in production, where manifests own them",
    },
    { name: "ASYA_PUBSUB_PROJECT_ID", default: "(required)", meaning: "GCP project" },
    { name: "ASYA_PUBSUB_ENDPOINT", default: "PUBSUB_EMULATOR_HOST", meaning: "Pub/Sub API endpoint" },
    {
      name: "ASYA_PUBSUB_ACK_DEADLINE_SEC",
      default: "60",
      meaning: "ack deadline / lease, 10-600 s: how soon a crashed replica's messages come back",
    },
  ],
  fromEnv(env) {
    const projectId = envValue(env, "ASYA_PUBSUB_PROJECT_ID");
    if (projectId === undefined) throw envError("pubsub", "ASYA_PUBSUB_PROJECT_ID", "required for pubsub");
    const apiEndpoint = envValue(env, "ASYA_PUBSUB_ENDPOINT") ?? envValue(env, "PUBSUB_EMULATOR_HOST");
    // How soon a crashed replica's leased messages come back (Pub/Sub allows 10-600 s).
    const ackDeadlineSec = envInt(env, "pubsub", "ASYA_PUBSUB_ACK_DEADLINE_SEC", 10, 600);
    const autoCreate = envBool(env, "pubsub", QUEUE_AUTO_CREATE_VARIABLE);
    return {
      ...(autoCreate === undefined ? {} : { autoCreate }),
      projectId,
      ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
      ...(ackDeadlineSec === undefined ? {} : { ackDeadlineSec }),
    };
  },
  create: (options, { logger }) =>
    createPubSubTransport({ ...options, ...(logger === undefined ? {} : { logger }) }),
});
