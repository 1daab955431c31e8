export {
  BODY_ENCODING_ATTRIBUTE,
  decodeSqsBody,
  type EncodedSqsBody,
  encodeSqsBody,
  isSqsSafeText,
  type SqsBodyEncoding,
} from "./body-codec.js";
export { classifySqsError } from "./classify-sqs-error.js";
export { transportDescriptor } from "./descriptor.js";
export { SQS_ENV, type SqsKubernetesSettings, transportKubernetes } from "./kubernetes.js";
export { INTERNAL_ATTRIBUTE_PREFIX, MAX_SQS_ATTRIBUTES } from "./message-attributes.js";
export { type SqsMessageSize, sqsMessageSize } from "./message-size.js";
export { PACKED_ATTRIBUTES_ATTRIBUTE } from "./outgoing-message.js";
export { sqsDeadLetterQueueName } from "./queue-resolver.js";
export { createSqsTransport } from "./sqs-transport.js";
export {
  type ResolvedSqsTransportOptions,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_MESSAGE_BYTES,
  SQS_MAX_VISIBILITY_SECONDS,
  type SqsTransportOptions,
  sqsTransportOptionsSchema,
} from "./sqs-transport-options.js";
