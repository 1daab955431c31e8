export {
  actorNameSchema,
  assertActorName,
  isValidActorName,
  MAX_QUEUE_NAME_LENGTH,
  queueName,
} from "./actor-name.js";
export {
  checkJsonText,
  encodeEnvelope,
  type ParseEnvelopeOptions,
  parseEnvelope,
  parseJsonValue,
  serializeEnvelope,
  serializeJsonValue,
  utf8ByteLength,
  validateEnvelope,
} from "./codec.js";
export {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_ENVELOPE_DEPTH,
  FORBIDDEN_KEYS,
  HEADER_CLAIM,
  HEADER_FAN_IN,
  HEADER_FIRST_ATTEMPT,
  HEADER_GATEWAY_URL,
  HEADER_MESH_STATUS,
  HEADER_ORIGIN_ID,
  HEADER_PAUSE,
  HEADER_PAUSE_METADATA,
  HEADER_RESUME_TASK,
  HEADER_RESUME_TIMEOUT,
  HEADER_ROUTE_OVERRIDE,
  HEADER_ROUTE_RESOLVED,
  HEADER_ROUTED_ERROR,
  PAUSE_ACTOR,
  RESERVED_HEADER_PREFIX,
  RESUME_ACTOR,
  SINK_ACTOR,
  SUMP_ACTOR,
} from "./constants.js";
export { type CreateEnvelopeInput, createEnvelope } from "./create-envelope.js";
export {
  EnvelopeError,
  type EnvelopeErrorCode,
  type EnvelopeErrorOptions,
  type EnvelopePath,
  formatPath,
  isEnvelopeError,
} from "./envelope-error.js";
export { fanOut, fanOutChild } from "./fan-out.js";
export { getAtPointer, parsePointer, setAtPointer } from "./json-pointer.js";
export {
  checkResumeInput,
  mergeResumeInput,
  type PauseField,
  type PauseMetadata,
  pauseFieldSchema,
  pauseMetadataSchema,
  type ResumeMergeMode,
} from "./pause-metadata.js";
export {
  DEFAULT_ACTOR_TIMEOUT_MS,
  DEFAULT_INITIAL_DELAY_MS,
  DURATION_PATTERN,
  durationMs,
  durationSchema,
  RESILIENCY_ENV,
  type ResiliencyInput,
  type RetryPolicyInput,
  resiliencyRuleSchema,
  resiliencySchema,
  retryPolicySchema,
} from "./resiliency-schema.js";
export { advanceRoute, isRouteEnd, rewriteNext } from "./route.js";
export {
  type Envelope,
  type EnvelopeHeaders,
  type EnvelopeInput,
  envelopeSchema,
  headersSchema,
  parseRfc3339,
  type Route,
  routeSchema,
  type Status,
  type StatusError,
  type StatusPhase,
  type StatusReason,
  statusErrorSchema,
  statusOutputSchema,
  statusPhaseSchema,
  statusReasonSchema,
  statusSchema,
} from "./schema.js";
export { type StatusPatch, stampStatus } from "./status.js";
