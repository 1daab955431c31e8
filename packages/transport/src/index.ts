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
export type { TransportErrorCode, TransportErrorOptions } from "./transport-error.js";
export { isTransportError, TransportError } from "./transport-error.js";
