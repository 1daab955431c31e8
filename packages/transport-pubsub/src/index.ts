export { classifyPubSubError } from "./classify-pubsub-error.js";
export {
  DELIVER_AT_ATTRIBUTE,
  EMPTY_BODY_ATTRIBUTE,
  PUBSUB_MAX_ACK_DEADLINE_SEC,
  PUBSUB_MAX_MESSAGE_BYTES,
} from "./constants.js";
export { transportDescriptor } from "./descriptor.js";
export {
  GCP_CREDENTIALS_DIR,
  PUBSUB_ENV,
  type PubSubKubernetesSettings,
  transportKubernetes,
} from "./kubernetes.js";
export type {
  OrderingKeyFn,
  PubSubLogger,
  PubSubTransportOptions,
  ResolvedPubSubOptions,
} from "./pubsub-options.js";
export { pubSubTransportOptionsSchema, resolvePubSubOptions } from "./pubsub-options.js";
export { createPubSubTransport } from "./pubsub-transport.js";
