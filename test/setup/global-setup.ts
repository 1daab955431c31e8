import type { TestProject } from "vitest/node";
import { startMotoIfNeeded } from "./moto.js";
import { reapOrphans } from "./owned-processes.js";
import { startPostgresDatabaseIfNeeded } from "./postgres.js";
import { startPubSubEmulatorIfNeeded } from "./pubsub-emulator.js";
import { startRabbitMqIfNeeded } from "./rabbitmq.js";
import { startRedisIfNeeded } from "./redis.js";

/**
 * Starts what the integration tests need, each private to this run and bound to 127.0.0.1, unless
 * the caller provides one: a RabbitMQ node (ASYA_TEST_RABBITMQ_URL), moto (ASYA_TEST_SQS_ENDPOINT),
 * the Pub/Sub emulator (PUBSUB_EMULATOR_HOST), a Redis server (ASYA_TEST_REDIS_URL) and a database
 * on the machine's PostgreSQL (ASYA_TEST_POSTGRES_URL). Whatever it starts is stopped by PID (the
 * database dropped) at the end, also when tests fail; a run killed before its teardown is reaped by
 * the next run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  for (const orphan of reapOrphans()) {
    process.stderr.write(`[asya:test] stopped ${orphan}, left running by an earlier run that died\n`);
  }
  const started = [
    startRabbitMqIfNeeded(),
    startMotoIfNeeded(),
    startPubSubEmulatorIfNeeded(),
    startPostgresDatabaseIfNeeded(),
    startRedisIfNeeded(),
  ] as const;
  const settled = await Promise.allSettled(started);
  const stops = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value.stop] : []));
  const teardown = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };
  const failure = settled.find((result) => result.status === "rejected");
  if (failure !== undefined) {
    await teardown();
    throw failure.reason;
  }
  // All fulfilled: awaiting them again only unwraps the values, with their own types.
  const [rabbit, moto, pubsub, postgres, redis] = await Promise.all(started);
  // Workers are forked after global setup, so they inherit these variables.
  project.provide("rabbitmqUrl", rabbit.url);
  process.env.ASYA_TEST_RABBITMQ_URL = rabbit.url;
  project.provide("sqsEndpoint", moto.endpoint);
  process.env.ASYA_TEST_SQS_ENDPOINT = moto.endpoint;
  project.provide("pubsubEmulatorHost", pubsub.host);
  project.provide("pubsubBackend", pubsub.backend);
  process.env.PUBSUB_EMULATOR_HOST = pubsub.host;
  project.provide("postgresUrl", postgres.url);
  process.env.ASYA_TEST_POSTGRES_URL = postgres.url;
  project.provide("redisUrl", redis.url);
  process.env.ASYA_TEST_REDIS_URL = redis.url;
  return teardown;
}
