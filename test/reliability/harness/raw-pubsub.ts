import { createPubSubTransport } from "@asya/transport-pubsub";
import { PubSub } from "@google-cloud/pubsub";
import type { RawBroker, RawConsumer, RawMessage } from "./raw-broker.js";

/** The project id every reliability test uses on the emulator. */
export const PUBSUB_TEST_PROJECT = "asya-reliability";
/** Attribute the Asya Pub/Sub wire format uses for an empty body (Pub/Sub rejects empty messages). */
const EMPTY_BODY_ATTRIBUTE = "x-asya-empty-body";

/**
 * A raw @google-cloud/pubsub client on the emulator at `emulatorHost` (`host:port`). A queue is a
 * topic plus a subscription of the same name (the Asya Pub/Sub layout).
 */
export function createRawPubSub(emulatorHost: string, projectId = PUBSUB_TEST_PROJECT): RawBroker {
  const client = new PubSub({ projectId, apiEndpoint: emulatorHost, emulatorMode: true });
  const consumers: Array<() => Promise<void>> = [];
  return {
    name: "pubsub",
    maxMessageBytes: 10 * 1024 * 1024,
    async ensureQueue(queue) {
      const transport = createPubSubTransport({ projectId, apiEndpoint: emulatorHost });
      try {
        await transport.ensureQueue?.(queue);
      } finally {
        await transport.close();
      }
    },
    async publish(queue, bodies) {
      const topic = client.topic(queue, { batching: { maxMessages: 100, maxMilliseconds: 10 } });
      const pending: Array<Promise<string>> = [];
      for (const bytes of bodies) {
        pending.push(
          topic.publishMessage(
            bytes.byteLength === 0
              ? { data: Buffer.alloc(0), attributes: { [EMPTY_BODY_ATTRIBUTE]: "1" } }
              : { data: Buffer.from(bytes) },
          ),
        );
        if (pending.length >= 500) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      await topic.flush();
    },
    async consume(queue, onMessage: (message: RawMessage) => void): Promise<RawConsumer> {
      const subscription = client.subscription(queue, { flowControl: { maxMessages: 500 } });
      subscription.on("error", () => {});
      subscription.on("message", (message) => {
        onMessage({ body: new Uint8Array(message.data), attributes: { ...message.attributes } });
        message.ack();
      });
      const stop = async (): Promise<void> => {
        subscription.removeAllListeners("message");
        await subscription.close().catch(() => {});
      };
      consumers.push(stop);
      return { stop };
    },
    async depth() {
      return undefined;
    },
    async close() {
      for (const stop of consumers) await stop();
      await client.close();
    },
  };
}
