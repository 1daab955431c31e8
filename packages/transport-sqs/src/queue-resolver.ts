import { deadLetterQueueName } from "@asya/transport";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { classifySqsError } from "./classify-sqs-error.js";
import { isFifoQueue } from "./outgoing-message.js";

/**
 * Name of the dead-letter queue of `queue`: `<queue>-dlq`, except FIFO queues, whose DLQ must also
 * be FIFO: `asya-x.fifo` -> `asya-x-dlq.fifo`.
 */
export function sqsDeadLetterQueueName(queue: string): string {
  if (isFifoQueue(queue)) return `${queue.slice(0, -".fifo".length)}-dlq.fifo`;
  return deadLetterQueueName(queue);
}

/** Settings of {@link createQueueResolver}. */
export interface QueueResolverSettings {
  readonly client: SQSClient;
  readonly queueUrlPrefix?: string;
  readonly autoCreate: boolean;
  readonly maxReceiveCount: number;
}

/** Resolves queue names to URLs (cached) and creates queues on demand. */
export interface QueueResolver {
  url(queue: string): Promise<string>;
  ensure(queue: string, deadLetter: boolean): Promise<void>;
}

/** Builds a {@link QueueResolver}. */
export function createQueueResolver(settings: QueueResolverSettings): QueueResolver {
  const { client } = settings;
  const urls = new Map<string, Promise<string>>();
  const prefix =
    settings.queueUrlPrefix === undefined
      ? undefined
      : settings.queueUrlPrefix.endsWith("/")
        ? settings.queueUrlPrefix
        : `${settings.queueUrlPrefix}/`;

  const createQueue = async (queue: string, attributes: Record<string, string>): Promise<string> => {
    if (isFifoQueue(queue)) {
      attributes.FifoQueue = "true";
      attributes.ContentBasedDeduplication = "true";
    }
    try {
      const created = await client.send(new CreateQueueCommand({ QueueName: queue, Attributes: attributes }));
      if (created.QueueUrl === undefined) throw new Error(`CreateQueue returned no URL for ${queue}`);
      return created.QueueUrl;
    } catch (error) {
      // An existing queue with other attributes (e.g. made by Terraform) is fine: use it as is.
      const classified = classifySqsError(error);
      if (classified.code !== "PRECONDITION_FAILED" || classified.retryable) throw classified;
      return lookup(queue);
    }
  };

  const lookup = async (queue: string): Promise<string> => {
    try {
      const found = await client.send(new GetQueueUrlCommand({ QueueName: queue }));
      if (found.QueueUrl === undefined) throw new Error(`GetQueueUrl returned no URL for ${queue}`);
      return found.QueueUrl;
    } catch (error) {
      throw classifySqsError(error);
    }
  };

  const ensure = async (queue: string, deadLetter: boolean): Promise<void> => {
    const attributes: Record<string, string> = {};
    if (deadLetter) {
      const dlqUrl = await createQueue(sqsDeadLetterQueueName(queue), {});
      urls.set(sqsDeadLetterQueueName(queue), Promise.resolve(dlqUrl));
      const dlqAttributes = await client
        .send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))
        .catch((error: unknown) => {
          throw classifySqsError(error);
        });
      const arn = dlqAttributes.Attributes?.QueueArn;
      if (arn !== undefined) {
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: arn,
          maxReceiveCount: String(settings.maxReceiveCount),
        });
      }
    }
    const url = await createQueue(queue, attributes);
    urls.set(queue, Promise.resolve(url));
  };

  const url = (queue: string): Promise<string> => {
    if (prefix !== undefined && !settings.autoCreate) return Promise.resolve(`${prefix}${queue}`);
    const cached = urls.get(queue);
    if (cached !== undefined) return cached;
    const pending = (async () => {
      if (!settings.autoCreate) return lookup(queue);
      try {
        return await lookup(queue);
      } catch (error) {
        if (classifySqsError(error).code !== "NOT_FOUND") throw error;
        // Dead-letter queues themselves get no DLQ.
        const isDlq = queue.endsWith("-dlq") || queue.endsWith("-dlq.fifo");
        await ensure(queue, !isDlq);
        return lookup(queue);
      }
    })();
    urls.set(queue, pending);
    pending.catch(() => {
      if (urls.get(queue) === pending) urls.delete(queue);
    });
    return pending;
  };

  return { url, ensure };
}
