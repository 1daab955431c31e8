import { createMemoryStateStore, type StateStore } from "@asya/state";
import { describe, expect, it } from "vitest";
import { parseRegistry } from "../src/index.js";
import { onCleanup, post, startGateway, until, watch } from "./helpers.js";

// Pause and resume through the gateway (GATEWAY.md section 5), in process: a handler pauses with
// pauseNext, x-pause checkpoints it, the API resumes it, x-resume restores it with the answer.

const REGISTRY = parseRegistry(`
tools:
  - name: review
    route: [draft, publish]
    timeout: 30
`);

const PAUSE = {
  prompt: "Approve the draft?",
  fields: [
    { name: "approved", type: "boolean", required: true },
    { name: "channel", type: "string", options: ["blog", "news"], payload_key: "/meta/channel" },
  ],
} as const;

async function startPausingPipeline(store: StateStore = createMemoryStateStore(), timeoutS?: number) {
  const runtime = await import("@asya/runtime");
  const crew = await import("@asya/runtime/crew");
  const started = await startGateway({ registry: () => REGISTRY, sweepIntervalMs: 50 });
  const { transport, gateway } = started;
  const trusted = { url: gateway.internalUrl };
  const common = { transport, logger: runtime.silentLogger, gateway: trusted };
  const published: unknown[] = [];
  const actors = [
    runtime.createActor({
      ...common,
      name: "draft",
      async *handler(p: { text: string }) {
        yield* crew.pauseNext({ ...PAUSE, ...(timeoutS === undefined ? {} : { timeout_s: timeoutS }) });
        yield { text: `draft of ${p.text}` };
      },
    }),
    runtime.createActor({
      ...common,
      name: "publish",
      handler: (p: unknown) => {
        published.push(p);
        return { published: p };
      },
    }),
    crew.createPauseActor({ ...common, store, sweepIntervalMs: 50 }),
    crew.createResumeActor({ ...common, store }),
    runtime.createSinkActor({ ...common, store: runtime.createMemoryStore() }),
  ];
  for (const actor of actors) await actor.start();
  onCleanup(async () => {
    for (const actor of actors) await actor.stop();
  });
  return { ...started, published, store };
}

const status = async (api: string, id: string) =>
  (await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string; data: Record<string, unknown> };

describe("pause and resume (x-pause, x-resume, POST /mesh/{id}/resume)", () => {
  it("pauses with the metadata over SSE, validates the input, resumes once, and the answer reaches the next actor", async () => {
    const { api, published, store } = await startPausingPipeline();
    const id = (await post(`${api}/mesh?tool=review`, { payload: { text: "t" } })).body?.id as string;
    const client = watch(`${api}/mesh/${id}/events`, {
      stopAfter: (events) => events.some((e) => (e.data as { status?: string }).status === "paused"),
    });
    await client.done;
    expect(client.events.at(-1)?.data).toMatchObject({ status: "paused", actor: "x-pause", pause: PAUSE });
    expect(await store.get(`pause/checkpoint/${id}`)).toMatchObject({ envelope: { id }, pause: PAUSE });

    const wrongType = await post(`${api}/mesh/${id}/resume`, { approved: "yes" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({
      error: { code: "BAD_REQUEST", message: "approved: expected boolean, got string" },
    });
    const notAnOption = await post(`${api}/mesh/${id}/resume`, { approved: true, channel: "tv" });
    expect(notAnOption.body).toMatchObject({ error: { message: 'channel: must be one of "blog", "news"' } });
    const missing = await post(`${api}/mesh/${id}/resume`, {});
    expect(missing.body).toMatchObject({ error: { message: "approved: required" } });
    expect((await status(api, id)).status).toBe("paused");

    const resumed = await post(`${api}/mesh/${id}/resume`, { approved: true, channel: "blog" });
    expect(resumed.status).toBe(202);
    const again = await post(`${api}/mesh/${id}/resume`, { approved: false });
    expect(again.status).toBe(409);
    expect((await post(`${api}/mesh/nope/resume`, { approved: true })).status).toBe(404);

    await until(async () => (await status(api, id)).status === "succeeded");
    expect(published).toEqual([{ text: "draft of t", approved: true, meta: { channel: "blog" } }]);
    expect((await status(api, id)).data).toMatchObject({
      result: { published: { text: "draft of t", approved: true, meta: { channel: "blog" } } },
    });
    expect(await store.get(`pause/checkpoint/${id}`)).toBeUndefined();
    const history = (await (await fetch(`${api}/mesh/${id}/history`)).json()) as {
      events: { status: string }[];
    };
    expect(history.events.map((e) => e.status)).toEqual([
      "pending",
      "running",
      "paused",
      "running",
      "running",
      "succeeded",
    ]);
  });

  it("a resume for a task with no checkpoint ends failed at x-sink (CheckpointNotFound), never silently", async () => {
    const { transport, api } = await startPausingPipeline();
    const { createEnvelopeSpy } = await import("@asya/runtime/testing");
    const { createEnvelope, encodeEnvelope, queueName } = await import("@asya/envelope");
    const spy = createEnvelopeSpy(transport);
    const resume = createEnvelope({
      id: "ghost",
      route: { prev: [], curr: "x-resume", next: [] },
      headers: { "x-asya-resume-task": "ghost" },
      payload: { approved: true },
    });
    await transport.publish(queueName("x-resume"), { body: encodeEnvelope(resume) });
    const failed = await spy.waitFor("ghost", { to: "x-sink", phase: "failed" });
    expect(failed.envelope?.status?.error).toMatchObject({ type: "CheckpointNotFound" });
    void api;
  });

  it("the deadline is frozen while paused: the resumed task gets the budget left at pause time", async () => {
    const { api, store } = await startPausingPipeline();
    const id = (await post(`${api}/mesh?tool=review`, { payload: { text: "t" } })).body?.id as string;
    await until(async () => (await status(api, id)).status === "paused");
    const checkpoint = (await store.get(`pause/checkpoint/${id}`)) as { remaining_ms: number };
    expect(checkpoint.remaining_ms).toBeGreaterThan(25_000);
    expect(checkpoint.remaining_ms).toBeLessThanOrEqual(30_000);
    expect((await post(`${api}/mesh/${id}/resume`, { approved: true })).status).toBe(202);
    await until(async () => (await status(api, id)).status === "succeeded");
  });

  it("a pause with timeout_s that nobody answers ends failed (pause expired) and its checkpoint is gone", async () => {
    const { api, store } = await startPausingPipeline(createMemoryStateStore(), 0.2);
    const id = (await post(`${api}/mesh?tool=review`, { payload: { text: "t" } })).body?.id as string;
    await until(async () => (await status(api, id)).status === "failed", 10_000);
    expect((await status(api, id)).data).toMatchObject({ error: { type: "PauseExpired" } });
    expect(await store.get(`pause/checkpoint/${id}`)).toBeUndefined();
    expect((await post(`${api}/mesh/${id}/resume`, { approved: true })).status).toBe(409);
  });
});
