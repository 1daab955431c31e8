import { createRequire } from "node:module";
import { TransportError } from "@asya/transport";

/** The `@google-cloud/pubsub` module namespace. */
export type PubSubModule = typeof import("@google-cloud/pubsub");

let cached: PubSubModule | undefined;

/**
 * Loads the peer dependency on first use. The SDK is CommonJS, so it is required directly: this
 * keeps it (and its `@opentelemetry/api` dependency) on Node's own resolver in every host,
 * including test runners whose ESM resolvers prefer the `module` condition.
 *
 * @throws TransportError `INVALID_ARGUMENT` when `@google-cloud/pubsub` is not installed.
 */
export function loadPubSubSdk(): PubSubModule {
  if (cached !== undefined) return cached;
  try {
    cached = createRequire(import.meta.url)("@google-cloud/pubsub") as PubSubModule;
    return cached;
  } catch (error) {
    throw new TransportError("cannot load @google-cloud/pubsub: install it next to @asya/transport-pubsub", {
      code: "INVALID_ARGUMENT",
      retryable: false,
      transport: "pubsub",
      cause: error,
    });
  }
}
