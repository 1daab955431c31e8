import type { Transport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";
import { afterAll, beforeAll } from "vitest";
import { useBroker } from "./broker-lock.js";
import { deleteQueues, ready, testTransport } from "./helpers.js";

const created = new Set<string>();
let release: (() => Promise<void>) | undefined;
beforeAll(async () => {
  release = await useBroker();
});
afterAll(() => release?.());

describeTransport({
  name: "rabbitmq",
  create: () => ready(testTransport()),
  async prepareQueue(transport: Transport, queue: string) {
    created.add(queue);
    await transport.ensureQueue!(queue);
  },
  async cleanup() {
    const queues = [...created];
    created.clear();
    await deleteQueues(queues);
  },
  // The broker returns un-acked deliveries the moment the channel closes.
  redeliveryTimeoutMs: 1_500,
});
