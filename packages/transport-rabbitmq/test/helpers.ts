import {
  createRabbitMqTransport,
  type RabbitMqTransport,
  type RabbitMqTransportOptions,
} from "@asya/transport-rabbitmq";

import { testRabbitMqUrl } from "../../../test/setup/rabbitmq.js";

/** Broker URL of the integration tests: the run's private node (see test/setup/rabbitmq.ts). */
export const rabbitMqUrl = testRabbitMqUrl;

/** A transport on the test broker with fast reconnects. */
export function testTransport(options: Partial<RabbitMqTransportOptions> = {}): RabbitMqTransport {
  return createRabbitMqTransport({
    url: rabbitMqUrl(),
    reconnectInitialDelayMs: 50,
    reconnectMaxDelayMs: 1_000,
    ...options,
  });
}

/** Waits until `transport.isReady()` (a missing broker fails the test, it is not skipped). */
export async function ready(transport: RabbitMqTransport, timeoutMs = 10_000): Promise<RabbitMqTransport> {
  const deadline = Date.now() + timeoutMs;
  while (!transport.isReady()) {
    if (Date.now() > deadline)
      throw new Error(`RabbitMQ not reachable at the test URL within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return transport;
}

/** Deletes queues this test created (never anyone else's: names are unique per test). */
export async function deleteQueues(queues: Iterable<string>): Promise<void> {
  const amqp = await import("amqplib");
  const connection = await amqp.connect(rabbitMqUrl());
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) {
      // Delay buckets expire on their own (x-expires); the ones the suites use are removed now.
      for (const name of [queue, `${queue}-dlq`, `${queue}.delay.1000`, `${queue}.delay.300`]) {
        await channel.deleteQueue(name);
      }
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}
