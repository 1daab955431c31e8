import { createMemoryBroker, createMemoryTransport } from "@asya/transport";
import { describeTransport } from "@asya/transport/testing";

// Transports of one test share a broker, like clients of one real broker. The short visibility
// timeout makes "ack removes" and keep-alive meaningful within the suite's redelivery window.
let broker = createMemoryBroker();
describeTransport({
  name: "memory",
  create: () => createMemoryTransport({ broker, visibilityTimeoutMs: 200 }),
  cleanup: async () => {
    broker = createMemoryBroker();
  },
  redeliveryTimeoutMs: 400,
});
