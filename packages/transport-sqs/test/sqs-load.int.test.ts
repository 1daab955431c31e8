import type { Subscription, Transport } from "@asya/transport";
import { createSqsTransport } from "@asya/transport-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulators, uniqueQueue, waitFor } from "./emulators.js";

const MESSAGES = 5_000;
const CONSUMERS = 10;

describe.each(emulators())("10 consumers on one queue on $name", (emulator) => {
  beforeAll(() => emulator.start());
  afterAll(() => emulator.stop());

  it(`processes ${MESSAGES} messages with no loss, counting duplicates`, async () => {
    const options = { endpoint: emulator.endpoint(), region: "us-east-1", waitTimeSeconds: 1, autoCreate: true };
    const queue = uniqueQueue("asya-sqs-load");
    const publisher = createSqsTransport(options);
    await publisher.ensureQueue?.(queue);
    const seen = new Map<number, number>();
    let handled = 0;
    const repeats: Array<{ n: number; deliveryCount: number | undefined; id: string }> = [];
    const errors: unknown[] = [];
    const consumers: Transport[] = Array.from({ length: CONSUMERS }, () => createSqsTransport(options));
    const subscriptions: Subscription[] = await Promise.all(
      consumers.map((consumer) =>
        consumer.consume(
          queue,
          (message) => {
            const { n } = JSON.parse(new TextDecoder().decode(message.body)) as { n: number };
            seen.set(n, (seen.get(n) ?? 0) + 1);
            if ((seen.get(n) ?? 0) > 1) repeats.push({ n, deliveryCount: message.deliveryCount, id: message.id });
            handled += 1;
            return { kind: "ack" };
          },
          { concurrency: 10, onError: (error) => errors.push(error) },
        ),
      ),
    );
    // Consumers run while publishing, as in a pipeline: moto's per-request cost grows with the
    // queue's depth (O(n) scans), so a 5,000-deep backlog would make it crawl.
    const encoder = new TextEncoder();
    let next = 0;
    const publishStream = async (): Promise<void> => {
      while (next < MESSAGES) {
        const start = next;
        next += 100;
        const chunk = Array.from({ length: 100 }, (_, i) => ({ body: encoder.encode(`{"n":${start + i}}`) }));
        await publisher.publishBatch!(queue, chunk);
      }
    };
    await Promise.all(Array.from({ length: 4 }, () => publishStream()));
    await waitFor(() => seen.size === MESSAGES, 90_000, `${MESSAGES} distinct messages`);
    await Promise.all(subscriptions.map((subscription) => subscription.stop()));
    const depth = await publisher.depth?.(queue);
    await Promise.all([publisher, ...consumers].map((transport) => transport.close()));

    const duplicates = handled - seen.size;
    // At-least-once: a duplicate would need a message to outlive its 30 s visibility timeout (or an
    // ack to fail), neither of which this run provokes, so none is expected.
    console.info(`[${emulator.name}] handled ${handled}, distinct ${seen.size}, duplicates ${duplicates}`, repeats, errors.map(String));
    expect(seen.size).toBe(MESSAGES);
    expect(duplicates).toBe(0);
    expect(depth).toBe(0);
  });
});
