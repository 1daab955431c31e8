export { classifyRabbitMqError, RABBITMQ_TRANSPORT_NAME } from "./classify-rabbitmq-error.js";
export { transportDescriptor } from "./descriptor.js";
export { RABBITMQ_ENV, type RabbitMqKubernetesSettings, transportKubernetes } from "./kubernetes.js";
export type { RabbitMqLogger, RabbitMqQueueType, RabbitMqTransportOptions } from "./rabbitmq-options.js";
export { rabbitMqTransportOptionsSchema } from "./rabbitmq-options.js";
export { createRabbitMqTransport, type RabbitMqTransport } from "./rabbitmq-transport.js";
export { passwordOf, redactSecrets, redactUrl } from "./redact.js";
export {
  delayBucketMs,
  delayQueueName,
  delayQueueOptions,
  isDeadLetterQueue,
  MAX_DELAY_MS,
  queueArguments,
  queueOptions,
} from "./topology.js";
