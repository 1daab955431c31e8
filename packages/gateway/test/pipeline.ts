import { parseRegistry, type Registry } from "../src/index.js";
import { onCleanup, startGateway } from "./helpers.js";

/** The registry of the front-door tests: a 2-actor pipeline, and a route nobody consumes. */
export const FRONT_DOOR_REGISTRY = `
tools:
  - name: shout-stream
    description: Upper-cases text and streams it letter by letter
    route: [shout, stream]
    timeout: 30
    inputSchema:
      type: object
      properties:
        text: {type: string, minLength: 1}
        options:
          type: object
          properties:
            tags: {type: array, items: {type: string}}
      required: [text]
  - name: stuck
    route: [nobody]
  - name: echo-list
    actor: listy
  - name: approve
    actor: pauser
  - name: approve-draft
    route: [drafter, finisher]
agents:
  - name: shouter
    description: Shouts and streams
    route: [shout, stream]
    skills: [{id: shout, name: Shout, description: Upper-cases text, tags: [text]}]
  - name: waiter
    route: [nobody]
    skills: [{id: wait, name: Wait, tags: []}]
  - name: approver
    actor: pauser
    skills: [{id: approve, name: Approve}]
  - name: draft-approver
    route: [drafter, finisher]
    skills: [{id: approve-draft, name: Approve a draft}]
`;

/** What `drafter` pauses with through x-pause (a human answers `approved`). */
export const DRAFT_PAUSE = {
  prompt: "Publish this draft?",
  fields: [{ name: "approved", type: "boolean", required: true } as const],
};

/** What the `pauser` actor pauses with (GATEWAY.md section 5's metadata). */
export const PAUSE = {
  prompt: "Approve the draft?",
  fields: [{ name: "approved", type: "boolean", required: true }],
};

/**
 * A gateway with the registry above and in-process actors on its memory transport: `shout`
 * upper-cases `text` (or `query`), `stream` streams its letters as FLY and returns `{said}`;
 * `listy` returns a list; `pauser` emits its input paused (as x-pause does); `drafter` pauses through x-pause and
 * `finisher` gets the answer from x-resume; x-sink reports the finals.
 */
export async function startPipeline(options: { apiKey?: string; registry?: () => Registry } = {}) {
  const { createActor, createSinkActor, createMemoryStore, silentLogger } = await import("@asya/runtime");
  const { createPauseActor, createResumeActor, pauseNext } = await import("@asya/runtime/crew");
  const { createMemoryStateStore } = await import("@asya/state");
  const state = createMemoryStateStore();
  const registry = parseRegistry(FRONT_DOOR_REGISTRY);
  const started = await startGateway({ registry: options.registry ?? (() => registry), ...options });
  const { transport, gateway } = started;
  const trusted = { url: gateway.internalUrl };
  const actors = [
    createActor({
      name: "shout",
      transport,
      logger: silentLogger,
      gateway: trusted,
      handler: (p: { text?: string; query?: string }) => ({ text: String(p.text ?? p.query).toUpperCase() }),
    }),
    createActor({
      name: "stream",
      transport,
      logger: silentLogger,
      gateway: trusted,
      async *handler(p: { text: string }) {
        for (const letter of p.text) yield ["FLY", { text: letter }];
        yield { said: p.text };
      },
    }),
    createActor({
      name: "listy",
      transport,
      logger: silentLogger,
      gateway: trusted,
      handler: () => [1, 2, 3],
    }),
    createActor({
      name: "pauser",
      transport,
      logger: silentLogger,
      gateway: trusted,
      // What x-pause emits: the payload with the pause metadata; the runtime reports it paused.
      async *handler(p: unknown) {
        yield ["SET", ".headers.x-asya-pause", PAUSE];
        yield p;
      },
    }),
    // A real pause: drafter routes through x-pause; x-resume brings the answer to finisher.
    createActor({
      name: "drafter",
      transport,
      logger: silentLogger,
      gateway: trusted,
      async *handler(p: Record<string, unknown>) {
        yield* pauseNext(DRAFT_PAUSE);
        yield { draft: `about ${String(p.topic ?? p.query)}` };
      },
    }),
    createActor({
      name: "finisher",
      transport,
      logger: silentLogger,
      gateway: trusted,
      handler: (p: { draft: string; approved: boolean }) => ({ published: p.approved, draft: p.draft }),
    }),
    createPauseActor({ transport, logger: silentLogger, gateway: trusted, store: state }),
    createResumeActor({ transport, logger: silentLogger, store: state }),
    createSinkActor({ transport, logger: silentLogger, store: createMemoryStore(), gateway: trusted }),
  ];
  for (const actor of actors) await actor.start();
  onCleanup(async () => {
    for (const actor of actors) await actor.stop();
  });
  return started;
}
