import {
  defineTransport,
  envBool,
  envError,
  envInt,
  envValue,
  QUEUE_AUTO_CREATE_OFF,
  QUEUE_AUTO_CREATE_VARIABLE,
} from "@asya/transport";
import { PUBSUB_ENV, type PubSubKubernetesSettings, transportKubernetes } from "./kubernetes.js";
import type { PubSubTransportOptions } from "./pubsub-options.js";
import { createPubSubTransport } from "./pubsub-transport.js";

/**
 * `ASYA_TRANSPORT=pubsub`: the Pub/Sub adapter as the CLI, the configuration and the docs find it
 * (see `TRANSPORT_PACKAGES` in `@asya/transport`).
 */
export const transportDescriptor = defineTransport<PubSubTransportOptions, PubSubKubernetesSettings>({
  kind: "pubsub",
  packageName: "@asya/transport-pubsub",
  sdk: "@google-cloud/pubsub",
  env: [
    QUEUE_AUTO_CREATE_OFF,
    { name: PUBSUB_ENV.projectId, default: "(required)", meaning: "GCP project" },
    { name: PUBSUB_ENV.endpoint, default: "PUBSUB_EMULATOR_HOST", meaning: "Pub/Sub API endpoint" },
    {
      name: PUBSUB_ENV.ackDeadlineSec,
      default: "60",
      meaning: "ack deadline / lease, 10-600 s: how soon a crashed replica's messages come back",
    },
  ],
  fromEnv(env) {
    const projectId = envValue(env, PUBSUB_ENV.projectId);
    if (projectId === undefined) throw envError("pubsub", PUBSUB_ENV.projectId, "required for pubsub");
    const apiEndpoint = envValue(env, PUBSUB_ENV.endpoint) ?? envValue(env, "PUBSUB_EMULATOR_HOST");
    // How soon a crashed replica's leased messages come back (Pub/Sub allows 10-600 s).
    const ackDeadlineSec = envInt(env, "pubsub", PUBSUB_ENV.ackDeadlineSec, 10, 600);
    const autoCreate = envBool(env, "pubsub", QUEUE_AUTO_CREATE_VARIABLE);
    return {
      ...(autoCreate === undefined ? {} : { autoCreate }),
      projectId,
      ...(apiEndpoint === undefined ? {} : { apiEndpoint }),
      ...(ackDeadlineSec === undefined ? {} : { ackDeadlineSec }),
    };
  },
  kubernetes: transportKubernetes,
  create: (options, { logger }) =>
    createPubSubTransport({ ...options, ...(logger === undefined ? {} : { logger }) }),
});
