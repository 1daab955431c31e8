import type { Transport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";
import { deleteQueues, ready, testTransport } from "./helpers.js";

/** The shared transport conformance suite on the run's RabbitMQ node, under `name`. */
export function describeRabbitMqConformance(name: string): void {
  const created = new Set<string>();
  describeTransport({
    name,
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
}
