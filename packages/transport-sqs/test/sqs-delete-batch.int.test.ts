import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeleteBatcher } from "../src/delete-batcher.js";
import { emulators, rawClient, uniqueQueue } from "./emulators.js";

describe.each(emulators())("DeleteMessageBatch partial failure on $name", (emulator) => {
  let raw: SQSClient;
  beforeAll(async () => {
    await emulator.start();
    raw = rawClient(emulator.endpoint());
  });
  afterAll(async () => {
    raw.destroy();
    await emulator.stop();
  });

  it("settles each entry on its own: a stale receipt handle fails alone, the others are deleted", async () => {
    const { QueueUrl } = await raw.send(new CreateQueueCommand({ QueueName: uniqueQueue() }));
    const queueUrl = QueueUrl ?? "";
    for (let i = 0; i < 3; i += 1) {
      await raw.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `m${i}` }));
    }
    const handles: string[] = [];
    while (handles.length < 3) {
      const received = await raw.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of received.Messages ?? []) handles.push(message.ReceiptHandle ?? "");
    }
    const deleter = createDeleteBatcher({ client: raw, batchSize: 10, windowMs: 20 });
    // A receipt handle SQS never issued (as good as a stale one): the batch call succeeds, this entry fails.
    const stale = `${handles[0]}-stale`;
    const results = await Promise.allSettled([
      deleter.delete(queueUrl, handles[0]!),
      deleter.delete(queueUrl, stale),
      deleter.delete(queueUrl, handles[1]!),
      deleter.delete(queueUrl, handles[2]!),
    ]);
    const [first, bad, second, third] = results;
    expect(first?.status).toBe("fulfilled");
    expect(second?.status).toBe("fulfilled");
    expect(third?.status).toBe("fulfilled");
    if (emulator.name === "fauxqs") {
      // fauxqs 1.9.2 deviates from AWS: DeleteMessageBatch reports an unknown receipt handle as
      // Successful. The AWS behaviour (a per-entry ReceiptHandleIsInvalid) is asserted on moto.
      expect(bad?.status).toBe("fulfilled");
    } else {
      expect(bad?.status).toBe("rejected");
      expect(bad?.status === "rejected" ? bad.reason : undefined).toMatchObject({
        name: "TransportError",
        code: "INVALID_ARGUMENT",
        retryable: false,
      });
    }
    // The valid entries really are gone.
    const left = await raw.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 0,
      }),
    );
    expect(left.Messages ?? []).toHaveLength(0);
  });
});
