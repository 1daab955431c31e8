// The @message-queue-toolkit/amqp side of scenario 3: a queue consumer whose handler publishes the
// message to the next queue with a toolkit publisher, then succeeds (the toolkit acks).
// The toolkit has no publisher-confirm mode (AbstractAmqpPublisher.publish is fire-and-forget on a
// plain channel) and sets no prefetch by itself; we add `channel.prefetch(concurrency)` before it
// starts consuming so that setting at least matches the other variants.

import {
  AbstractAmqpQueueConsumer,
  AbstractAmqpQueuePublisher,
  AmqpConnectionManager,
  AmqpConsumerErrorResolver,
} from "@message-queue-toolkit/amqp";
import { MessageHandlerConfigBuilder } from "@message-queue-toolkit/core";
import { z } from "zod";
import { advanceRoute } from "./pipe.js";

export const MQT_SCHEMA = z.looseObject({
  id: z.string(),
  type: z.literal("bench.pipe"),
  route: z.looseObject({ prev: z.array(z.string()), curr: z.string(), next: z.array(z.string()) }),
  payload: z.unknown(),
});

const noop = () => {};
const dbg = (...a) => {
  if (globalThis.MQT_DEBUG) console.error("[mqt]", ...a);
};
const logger = {
  level: "silent",
  trace: noop,
  debug: noop,
  info: noop,
  warn: dbg,
  error: dbg,
  fatal: noop,
  silent: noop,
  child() {
    return logger;
  },
  isLevelEnabled: () => false,
};

class PipePublisher extends AbstractAmqpQueuePublisher {
  constructor(deps, queueName) {
    super(deps, {
      messageSchemas: [MQT_SCHEMA],
      messageTypeResolver: { messageTypePath: "type" },
      locatorConfig: { queueName },
      isLazyInitEnabled: false,
    });
  }
}

class PipeConsumer extends AbstractAmqpQueueConsumer {
  constructor(deps, queueName, prefetch, handler) {
    super(deps, {
      messageTypeResolver: { messageTypePath: "type" },
      locatorConfig: { queueName },
      handlers: new MessageHandlerConfigBuilder().addConfig(MQT_SCHEMA, handler).build(),
    });
    this.prefetchCount = prefetch;
  }
  async consume() {
    await this.channel.prefetch(this.prefetchCount);
    return super.consume();
  }
}

/** amqp URL -> toolkit connection config. */
function configOf(url) {
  const u = new URL(url);
  return {
    hostname: u.hostname,
    port: Number(u.port || 5672),
    username: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    vhost: u.pathname.length > 1 ? decodeURIComponent(u.pathname.slice(1)) : "",
    useTls: u.protocol === "amqps:",
  };
}

/**
 * Starts a toolkit pipe A -> B (handler: advance the route, publish, succeed). Returns { close }.
 * `onDone` is called after each message is handled.
 */
export async function startMqtPipe(url, from, to, prefetch) {
  const amqpConnectionManager = new AmqpConnectionManager(configOf(url), logger);
  const deps = {
    amqpConnectionManager,
    logger,
    errorReporter: { report: dbg },
    consumerErrorResolver: new AmqpConsumerErrorResolver(),
    transactionObservabilityManager: undefined,
  };
  await amqpConnectionManager.init();
  const publisher = new PipePublisher(deps, to);
  await publisher.init();
  const consumer = new PipeConsumer(deps, from, prefetch, async (message) => {
    publisher.publish({ ...message, route: advanceRoute(message.route) });
    return { result: "success" };
  });
  await consumer.start();
  return {
    async close() {
      await amqpConnectionManager.close(); // closes the consumer's and publisher's channels too
    },
  };
}
