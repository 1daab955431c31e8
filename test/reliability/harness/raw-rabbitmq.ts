import { createRabbitMqTransport } from "@asya/transport-rabbitmq";
import amqplib from "amqplib";
import { testRabbitMqUrl } from "../../setup/rabbitmq.js";
import type { RawBroker, RawConsumer, RawMessage } from "./raw-broker.js";

/** The run's private RabbitMQ node (test/setup/rabbitmq.ts), or the caller's ASYA_TEST_RABBITMQ_URL. */
export { testRabbitMqUrl as rabbitMqUrl } from "../../setup/rabbitmq.js";

const CONFIRM_WINDOW = 500;

function headersToAttributes(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value === "string") out[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[key] = String(value);
    else if (Buffer.isBuffer(value)) out[key] = value.toString("utf8");
  }
  return out;
}

/**
 * A raw amqplib client: publishes with `sendToQueue` on a confirm channel (persistent), consumes with
 * manual acks. Reconnects are not attempted: a raw client used across a broker outage must be
 * created again after it.
 */
export async function createRawRabbitMq(url = testRabbitMqUrl()): Promise<RawBroker> {
  const connection = await amqplib.connect(url);
  connection.on("error", () => {});
  const publishChannel = await connection.createConfirmChannel();
  publishChannel.on("error", () => {});
  const consumers: Array<() => Promise<void>> = [];
  return {
    name: "rabbitmq",
    maxMessageBytes: 16 * 1024 * 1024,
    async ensureQueue(queue) {
      const transport = createRabbitMqTransport({ url });
      try {
        await transport.ensureQueue?.(queue);
      } finally {
        await transport.close();
      }
    },
    async publish(queue, bodies) {
      for (let i = 0; i < bodies.length; i += CONFIRM_WINDOW) {
        for (const body of bodies.slice(i, i + CONFIRM_WINDOW)) {
          const ok = publishChannel.sendToQueue(queue, Buffer.from(body), {
            persistent: true,
            mandatory: true,
          });
          if (!ok) await new Promise((resolve) => publishChannel.once("drain", resolve));
        }
        await publishChannel.waitForConfirms();
      }
    },
    async consume(queue, onMessage: (message: RawMessage) => void): Promise<RawConsumer> {
      const channel = await connection.createChannel();
      channel.on("error", () => {});
      await channel.prefetch(500);
      const { consumerTag } = await channel.consume(queue, (message) => {
        if (message === null) return;
        onMessage({
          body: new Uint8Array(message.content),
          attributes: headersToAttributes(message.properties.headers as Record<string, unknown> | undefined),
        });
        channel.ack(message);
      });
      let stopped = false;
      const stop = async (): Promise<void> => {
        if (stopped) return;
        stopped = true;
        try {
          await channel.cancel(consumerTag);
          await channel.close();
        } catch {
          // connection already gone
        }
      };
      consumers.push(stop);
      return { stop };
    },
    async depth(queue) {
      const channel = await connection.createChannel();
      channel.on("error", () => {});
      try {
        const { messageCount } = await channel.checkQueue(queue);
        return messageCount;
      } finally {
        await channel.close().catch(() => {});
      }
    },
    async close() {
      for (const stop of consumers) await stop();
      await publishChannel.close().catch(() => {});
      await connection.close().catch(() => {});
    },
  };
}
