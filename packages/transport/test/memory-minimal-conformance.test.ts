import { createMemoryBroker, createMemoryTransport, type Transport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";

// The memory transport dressed down to the bare contract (no depth method), so the suite's fallback branches (no
// depth, no batches, no delays, no ordering, no keep-alive, no dead-letter queue) run too.
function minimal(broker: ReturnType<typeof createMemoryBroker>): Transport {
  const inner = createMemoryTransport({ broker, visibilityTimeoutMs: 200, maxDelayMs: 0 });
  return {
    name: "memory-minimal",
    capabilities: {
      ...inner.capabilities,
      deadLetter: false,
      batchPublish: false,
      ordering: false,
      keepAlive: false,
    },
    publish: (queue, message, options) => inner.publish(queue, message, options),
    // Without keep-alive a delivery lapses after the visibility timeout however long its handler runs.
    consume: (queue, handler, options) => inner.consume(queue, handler, { ...options, maxProcessingMs: 1 }),
    isReady: () => inner.isReady(),
    close: () => inner.close(),
  };
}

let broker = createMemoryBroker();
describeTransport({
  name: "memory (minimal capabilities)",
  create: () => minimal(broker),
  cleanup: async () => {
    broker = createMemoryBroker();
  },
  redeliveryTimeoutMs: 400,
});
