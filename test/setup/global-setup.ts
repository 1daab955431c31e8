import type { TestProject } from "vitest/node";
import { startMotoIfNeeded } from "./moto.js";
import { startPubSubEmulatorIfNeeded } from "./pubsub-emulator.js";

/**
 * Starts the emulators integration tests need unless the caller already provides them
 * (ASYA_TEST_SQS_ENDPOINT, PUBSUB_EMULATOR_HOST). RabbitMQ is expected to be running
 * (ASYA_TEST_RABBITMQ_URL, default amqp://guest:guest@127.0.0.1:5672).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const moto = await startMotoIfNeeded();
  stops.push(moto.stop);
  project.provide("sqsEndpoint", moto.endpoint);
  process.env.ASYA_TEST_SQS_ENDPOINT = moto.endpoint;
  const pubsub = await startPubSubEmulatorIfNeeded();
  stops.push(pubsub.stop);
  project.provide("pubsubEmulatorHost", pubsub.host);
  project.provide("pubsubBackend", pubsub.backend);
  process.env.PUBSUB_EMULATOR_HOST = pubsub.host;
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    sqsEndpoint: string;
    pubsubEmulatorHost: string;
    pubsubBackend: string;
  }
}
