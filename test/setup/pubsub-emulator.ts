/** A running Pub/Sub emulator (owned by the Pub/Sub transport work; see issue 7). */
export interface PubSubEmulatorHandle {
  readonly host: string;
  readonly backend: string;
  stop(): Promise<void>;
}

/** Placeholder until the Pub/Sub adapter lands: reuses PUBSUB_EMULATOR_HOST when set. */
export async function startPubSubEmulatorIfNeeded(): Promise<PubSubEmulatorHandle> {
  return { host: process.env.PUBSUB_EMULATOR_HOST ?? "", backend: "external", stop: async () => {} };
}
