import { type CreateEnvelopeInput, createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { type ActorOptions, createActor } from "@asya/runtime";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport, type MemoryTransport, type MemoryTransportOptions } from "@asya/transport";
import { afterEach } from "vitest";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A memory transport plus spy, closed after the test. */
export function setup(options: MemoryTransportOptions = {}) {
  const transport = createMemoryTransport(options);
  const spy = createEnvelopeSpy(transport);
  cleanups.push(() => transport.close());
  const actors: string[] = [];
  return {
    transport,
    spy,
    /** Starts an actor (silent logger), stopped after the test. */
    async actor<T>(options: Omit<ActorOptions<T>, "transport"> & { transport?: MemoryTransport }) {
      const actor = createActor<T>({ logger: quietLogger, transport, ...options });
      await actor.start();
      actors.push(options.name);
      cleanups.push(() => actor.stop({ graceMs: 100 }));
      return actor;
    },
    /** Publishes a new envelope (random id unless given) to the queue of its first actor. */
    async send(input: CreateEnvelopeInput) {
      const envelope = createEnvelope({ id: `e-${Math.random().toString(16).slice(2, 10)}`, ...input });
      await transport.publish(queueName(envelope.route.curr), { body: encodeEnvelope(envelope) });
      return envelope;
    },
  };
}

export const quietLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quietLogger;
  },
};

/** Polls `check` every `everyMs` until it holds: an awaited outcome instead of a fixed sleep. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  everyMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
