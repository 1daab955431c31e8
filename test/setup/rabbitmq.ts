import { startRabbitMqNode } from "./rabbitmq-node.js";

/** The RabbitMQ the integration tests use: a private node of this run, or the caller's broker. */
export interface RabbitMqHandle {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Returns `ASYA_TEST_RABBITMQ_URL` when set (the caller owns that broker); otherwise starts a
 * private node for this run. At teardown the node's leftover queues are reported (a test that
 * leaves queues behind would leave them on a caller's broker too), then the node is stopped by PID
 * and its data dir deleted.
 */
export async function startRabbitMqIfNeeded(): Promise<RabbitMqHandle> {
  const external = process.env.ASYA_TEST_RABBITMQ_URL;
  if (external !== undefined && external !== "") {
    process.stderr.write("[asya:test] RabbitMQ: external broker from ASYA_TEST_RABBITMQ_URL\n");
    return { url: external, stop: async () => {} };
  }
  const node = await startRabbitMqNode("run");
  process.stderr.write(`[asya:test] RabbitMQ: private node ${node.node} at 127.0.0.1:${node.port}\n`);
  return {
    url: node.url,
    async stop() {
      try {
        const left = await node.listQueues();
        if (left.length > 0) {
          process.stderr.write(
            `[asya:test] RabbitMQ: ${left.length} queues left by tests (deleted with the node): ${left.slice(0, 10).join(", ")}${left.length > 10 ? ", ..." : ""}\n`,
          );
        }
      } catch {
        // the listing is information only; stopping matters
      } finally {
        await node.stop();
      }
    },
  };
}

/**
 * The broker URL for tests, as the integration global setup provided it. Never a default: a test
 * run outside that setup must not quietly use whatever broker listens on 5672.
 *
 * @throws Error when ASYA_TEST_RABBITMQ_URL is unset.
 */
export function testRabbitMqUrl(): string {
  const url = process.env.ASYA_TEST_RABBITMQ_URL;
  if (url === undefined || url === "") {
    throw new Error(
      "[asya:test] ASYA_TEST_RABBITMQ_URL is unset: RabbitMQ tests run in vitest's integration project, whose global setup starts a private node",
    );
  }
  return url;
}
