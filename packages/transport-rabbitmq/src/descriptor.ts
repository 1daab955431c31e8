import { defineTransport, envError, envInt, envValue, QUEUE_AUTO_CREATE_VARIABLE } from "@asya/transport";
import { RABBITMQ_TRANSPORT_NAME } from "./classify-rabbitmq-error.js";
import type { RabbitMqTransportOptions } from "./rabbitmq-options.js";
import { createRabbitMqTransport } from "./rabbitmq-transport.js";

/**
 * `ASYA_TRANSPORT=rabbitmq`: the RabbitMQ adapter as the CLI, the configuration and the docs find
 * it (see `TRANSPORT_PACKAGES` in `@asya/transport`).
 */
export const transportDescriptor = defineTransport<RabbitMqTransportOptions>({
  kind: RABBITMQ_TRANSPORT_NAME,
  packageName: "@asya/transport-rabbitmq",
  sdk: "amqplib",
  env: [
    {
      name: "ASYA_RABBITMQ_URL",
      default: "built from the next four",
      meaning: "amqp(s)://user:pass@host:port/vhost (never logged)",
    },
    { name: "ASYA_RABBITMQ_HOST", default: "localhost", meaning: "used when no URL" },
    { name: "ASYA_RABBITMQ_PORT", default: "5672", meaning: "used when no URL" },
    { name: "ASYA_RABBITMQ_USERNAME", default: "guest", meaning: "used when no URL (URL-encoded)" },
    { name: "ASYA_RABBITMQ_PASSWORD", default: "guest", meaning: "used when no URL (URL-encoded)" },
    { name: "ASYA_RABBITMQ_PREFETCH", default: "1", meaning: "unacked deliveries per consumer" },
    {
      name: QUEUE_AUTO_CREATE_VARIABLE,
      default: "true (always)",
      meaning: "queues are declared on first use (idempotent); declare needs the configure permission",
    },
  ],
  fromEnv(env) {
    let url = envValue(env, "ASYA_RABBITMQ_URL");
    if (url === undefined) {
      const host = envValue(env, "ASYA_RABBITMQ_HOST") ?? "localhost";
      const port = envInt(env, RABBITMQ_TRANSPORT_NAME, "ASYA_RABBITMQ_PORT", 1, 65_535) ?? 5672;
      const user = encodeURIComponent(envValue(env, "ASYA_RABBITMQ_USERNAME") ?? "guest");
      const password = encodeURIComponent(envValue(env, "ASYA_RABBITMQ_PASSWORD") ?? "guest");
      url = `amqp://${user}:${password}@${host}:${port}`;
    } else if (!/^amqps?:\/\//.test(url)) {
      throw envError(RABBITMQ_TRANSPORT_NAME, "ASYA_RABBITMQ_URL", "must start with amqp:// or amqps://");
    }
    const prefetch = envInt(env, RABBITMQ_TRANSPORT_NAME, "ASYA_RABBITMQ_PREFETCH", 1, 65_535);
    return { url, ...(prefetch === undefined ? {} : { prefetch }) };
  },
  create: (options, { logger }) =>
    createRabbitMqTransport({ ...options, ...(logger === undefined ? {} : { logger }) }),
});
