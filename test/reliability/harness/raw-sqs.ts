import { createSqsTransport } from "@asya/transport-sqs";
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { RawBroker, RawConsumer, RawMessage } from "./raw-broker.js";
import { BODY_ENCODING_ATTRIBUTE, decodeWireBody, sqsWireBody } from "./sqs-wire.js";

/** Region and dummy credentials moto accepts. */
export const SQS_TEST_REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const MAX_BATCH_BYTES = 1_000_000;

/** A raw @aws-sdk/client-sqs client against `endpoint` (moto in tests). */
export function createRawSqs(endpoint: string): RawBroker {
  const client = new SQSClient({ endpoint, region: SQS_TEST_REGION, credentials: CREDENTIALS });
  const urls = new Map<string, string>();
  const urlOf = async (queue: string): Promise<string> => {
    const known = urls.get(queue);
    if (known !== undefined) return known;
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queue }));
    if (QueueUrl === undefined) throw new Error(`no URL for SQS queue ${queue}`);
    urls.set(queue, QueueUrl);
    return QueueUrl;
  };
  const consumers: Array<() => Promise<void>> = [];
  return {
    name: "sqs",
    maxMessageBytes: 1_048_576,
    async ensureQueue(queue) {
      const transport = createSqsTransport({ endpoint, region: SQS_TEST_REGION, client });
      await transport.ensureQueue?.(queue);
      // The adapter does not own a client it was given; closing only stops its own work.
      await transport.close();
    },
    async publish(queue, bodies) {
      const url = await urlOf(queue);
      let batch: Array<{
        Id: string;
        MessageBody: string;
        MessageAttributes: Record<string, MessageAttributeValue>;
      }> = [];
      let batchBytes = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        const result = await client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: batch }));
        if ((result.Failed ?? []).length > 0) {
          throw new Error(`SQS SendMessageBatch failed: ${JSON.stringify(result.Failed?.slice(0, 3))}`);
        }
        batch = [];
        batchBytes = 0;
      };
      for (const bytes of bodies) {
        const wire = sqsWireBody(bytes);
        const size = Buffer.byteLength(wire.body) + 64;
        if (batch.length === 10 || batchBytes + size > MAX_BATCH_BYTES) await flush();
        batch.push({ Id: String(batch.length), MessageBody: wire.body, MessageAttributes: wire.attributes });
        batchBytes += size;
      }
      await flush();
    },
    async consume(queue, onMessage: (message: RawMessage) => void): Promise<RawConsumer> {
      const url = await urlOf(queue);
      const controller = new AbortController();
      const loop = async (): Promise<void> => {
        while (!controller.signal.aborted) {
          try {
            const { Messages = [] } = await client.send(
              new ReceiveMessageCommand({
                QueueUrl: url,
                MaxNumberOfMessages: 10,
                WaitTimeSeconds: 1,
                MessageAttributeNames: ["All"],
              }),
              { abortSignal: controller.signal },
            );
            if (Messages.length === 0) continue;
            for (const message of Messages) {
              const attributes: Record<string, string> = {};
              for (const [key, value] of Object.entries(message.MessageAttributes ?? {})) {
                if (value.StringValue !== undefined) attributes[key] = value.StringValue;
              }
              onMessage({
                body: decodeWireBody(message.Body ?? "", attributes[BODY_ENCODING_ATTRIBUTE]),
                attributes,
              });
            }
            await client.send(
              new DeleteMessageBatchCommand({
                QueueUrl: url,
                Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
              }),
            );
          } catch {
            if (controller.signal.aborted) return;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }
      };
      const loops = [loop(), loop(), loop()];
      const stop = async (): Promise<void> => {
        controller.abort();
        await Promise.allSettled(loops);
      };
      consumers.push(stop);
      return { stop };
    },
    async depth(queue) {
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: await urlOf(queue),
          AttributeNames: ["ApproximateNumberOfMessages"],
        }),
      );
      const raw = Attributes?.ApproximateNumberOfMessages;
      return raw === undefined ? undefined : Number(raw);
    },
    async close() {
      for (const stop of consumers) await stop();
      client.destroy();
    },
  };
}
