import { createEnvelope, type Envelope, encodeEnvelope, queueName } from "@asya/envelope";
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
    async send(input: Partial<Envelope> & { route: string[] | Envelope["route"]; payload: unknown }) {
      const envelope = createEnvelope({
        id: input.id ?? `e-${Math.random().toString(16).slice(2, 10)}`,
        route: input.route,
        payload: input.payload,
        ...(input.headers === undefined ? {} : { headers: input.headers }),
        ...(input.status === undefined ? {} : { status: input.status }),
      });
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
