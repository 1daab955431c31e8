export { checkDelayMs } from "./check-delay.js";
export { type Clock, type ClockTimer, MAX_TIMER_MS, systemClock } from "./clock.js";
export type { MemoryBroker, MemoryBrokerOptions } from "./memory/memory-broker.js";
export { createMemoryBroker } from "./memory/memory-broker.js";
export type { MemoryTransport, MemoryTransportOptions } from "./memory/memory-transport.js";
export {
  createMemoryTransport,
  DEFAULT_MEMORY_MAX_MESSAGE_BYTES,
  DEFAULT_MEMORY_VISIBILITY_TIMEOUT_MS,
} from "./memory/memory-transport.js";
export type { PublishAllOptions } from "./publish-all.js";
export { publishAll } from "./publish-all.js";
export { createTestClock, type TestClock } from "./test-clock.js";
export { createTimers, type Timers } from "./timers.js";
export type {
  ConsumeOptions,
  Disposition,
  EnsureQueueOptions,
  MessageContext,
  MessageHandler,
  OutgoingMessage,
  PublishOptions,
  ReceivedMessage,
  Subscription,
  Transport,
  TransportCapabilities,
} from "./transport.js";
export { DEAD_LETTER_REASON_ATTRIBUTE, deadLetterQueueName } from "./transport.js";
export {
  defineTransport,
  envBool,
  envError,
  envInt,
  envValue,
  QUEUE_AUTO_CREATE_OFF,
  QUEUE_AUTO_CREATE_VARIABLE,
  registeredTransport,
  registerTransport,
  TRANSPORT_PACKAGES,
  type TransportDescriptor,
  type TransportEnv,
  type TransportEnvVariable,
  type TransportLogger,
  type TransportPackage,
  transportKinds,
} from "./transport-descriptor.js";
export type { TransportErrorCode, TransportErrorOptions } from "./transport-error.js";
export { isTransportError, TransportError } from "./transport-error.js";
export type {
  KedaTrigger,
  KedaTriggerInput,
  KubernetesEnvVar,
  KubernetesSecretMount,
  SecretKeyReference,
  TransportKubernetes,
} from "./transport-kubernetes.js";
