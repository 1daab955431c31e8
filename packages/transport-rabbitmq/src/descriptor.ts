import { defineTransport, envError, envInt, envValue, QUEUE_AUTO_CREATE_VARIABLE } from "@asya/transport";
import { RABBITMQ_TRANSPORT_NAME } from "./classify-rabbitmq-error.js";
import { RABBITMQ_ENV, type RabbitMqKubernetesSettings, transportKubernetes } from "./kubernetes.js";
import type { RabbitMqTransportOptions } from "./rabbitmq-options.js";
import { createRabbitMqTransport } from "./rabbitmq-transport.js";

/**
 * `ASYA_TRANSPORT=rabbitmq`: the RabbitMQ adapter as the CLI, the configuration and the docs find
 * it (see `TRANSPORT_PACKAGES` in `@asya/transport`).
 */
export const transportDescriptor = defineTransport<RabbitMqTransportOptions, RabbitMqKubernetesSettings>({
  kind: RABBITMQ_TRANSPORT_NAME,
  packageName: "@asya/transport-rabbitmq",
  sdk: "amqplib",
  env: [
    {
      name: RABBITMQ_ENV.url,
      default: "built from the next four",
      meaning: "amqp(s)://user:pass@host:port/vhost (never logged)",
    },
    { name: RABBITMQ_ENV.host, default: "localhost", meaning: "used when no URL" },
    { name: RABBITMQ_ENV.port, default: "5672", meaning: "used when no URL" },
    { name: RABBITMQ_ENV.username, default: "guest", meaning: "used when no URL (URL-encoded)" },
    { name: RABBITMQ_ENV.password, default: "guest", meaning: "used when no URL (URL-encoded)" },
    { name: RABBITMQ_ENV.prefetch, default: "1", meaning: "unacked deliveries per consumer" },
    {
      name: QUEUE_AUTO_CREATE_VARIABLE,
      default: "true (always)",
      meaning: "queues are declared on first use (idempotent); declare needs the configure permission",
    },
  ],
  fromEnv(env) {
    let url = envValue(env, RABBITMQ_ENV.url);
    if (url === undefined) {
      const host = envValue(env, RABBITMQ_ENV.host) ?? "localhost";
      const port = envInt(env, RABBITMQ_TRANSPORT_NAME, RABBITMQ_ENV.port, 1, 65_535) ?? 5672;
      const user = encodeURIComponent(envValue(env, RABBITMQ_ENV.username) ?? "guest");
      const password = encodeURIComponent(envValue(env, RABBITMQ_ENV.password) ?? "guest");
      url = `amqp://${user}:${password}@${host}:${port}`;
    } else if (!/^amqps?:\/\//.test(url)) {
      throw envError(RABBITMQ_TRANSPORT_NAME, RABBITMQ_ENV.url, "must start with amqp:// or amqps://");
    }
    const prefetch = envInt(env, RABBITMQ_TRANSPORT_NAME, RABBITMQ_ENV.prefetch, 1, 65_535);
    return { url, ...(prefetch === undefined ? {} : { prefetch }) };
  },
  kubernetes: transportKubernetes,
  create: (options, { logger }) =>
    createRabbitMqTransport({ ...options, ...(logger === undefined ? {} : { logger }) }),
});
