import { createRequire } from "node:module";
import type { Transport } from "@asya/transport";
import { createPubSubTransport, type PubSubTransportOptions } from "@asya/transport-pubsub";
import type { PubSub } from "@google-cloud/pubsub";
import { inject } from "vitest";

/** Project id used against the emulator (any id works there). */
export const PROJECT_ID = "asya-test";

/** `host:port` of the emulator started by test/setup/global-setup.ts (or PUBSUB_EMULATOR_HOST). */
export function emulatorHost(): string {
  const host = inject("pubsubEmulatorHost");
  if (host === "") throw new Error("[asya:test] no Pub/Sub emulator: global setup provided an empty host");
  return host;
}

/** A transport on the emulator with short deadlines; `overrides` win. */
export function createTestTransport(overrides: Partial<PubSubTransportOptions> = {}): Transport {
  return createPubSubTransport({
    projectId: PROJECT_ID,
    apiEndpoint: emulatorHost(),
    autoCreate: true,
    ackDeadlineSec: 10,
    ...overrides,
  });
}

/** A raw SDK client on the emulator (for assertions the Transport API cannot make). */
export function createRawClient(): PubSub {
  // Required, not imported: the SDK is CommonJS and must stay on Node's resolver (see load-sdk.ts).
  const sdk = createRequire(import.meta.url)("@google-cloud/pubsub") as typeof import("@google-cloud/pubsub");
  return new sdk.PubSub({ projectId: PROJECT_ID, apiEndpoint: emulatorHost() });
}

/** One synchronous pull that returns at once: the messages deliverable right now (none are acked). */
export async function rawPullNow(subscription: string): Promise<number> {
  const sdk = createRequire(import.meta.url)("@google-cloud/pubsub") as typeof import("@google-cloud/pubsub");
  const options = new sdk.PubSub({ projectId: PROJECT_ID, apiEndpoint: emulatorHost() }).options;
  // PubSub resolves the emulator's host/port/sslCreds into options; its type is wider than the
  // gapic client's (port may be a string), hence the cast.
  const subscriber = new sdk.v1.SubscriberClient(
    options as ConstructorParameters<typeof sdk.v1.SubscriberClient>[0],
  );
  try {
    const [response] = await subscriber.pull({
      subscription: `projects/${PROJECT_ID}/subscriptions/${subscription}`,
      maxMessages: 10,
      returnImmediately: true,
    });
    return response.receivedMessages?.length ?? 0;
  } finally {
    await subscriber.close();
  }
}

/** Poll `condition` every 20 ms until it holds or `timeoutMs` passes. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
