import { encodeEnvelope, queueName } from "@asya/envelope";
import {
  createJsonLogger,
  createMemoryStore,
  createSinkActor,
  createSumpActor,
  type HandlerContext,
} from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { quietLogger, setup } from "./helpers.js";

// Envelopes as Asya's Go sidecar and Python runtime write them (SPEC section 1, "read liberally"),
// published raw to our actors' queues.
const goEnvelope = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "go-1",
  route: { prev: ["prep"], curr: "h", next: ["post"] },
  headers: { trace_id: "t-1" },
  status,
  payload: { text: "hi" },
  ...extra,
});

async function publishRaw(t: ReturnType<typeof setup>, actor: string, envelope: unknown): Promise<void> {
  await t.transport.publish(queueName(actor), { body: new TextEncoder().encode(JSON.stringify(envelope)) });
}

describe("our actors read what Asya writes", () => {
  it("zero counts, an unknown phase and a free-form reason: handled, stamped as ours on the way out", async () => {
    const t = setup();
    const seen: unknown[] = [];
    await t.actor({
      name: "h",
      handler: (p: unknown, ctx: HandlerContext) => {
        seen.push({ ...ctx.envelope.status }, ctx.attempt);
        return p;
      },
    });
    await publishRaw(
      t,
      "h",
      goEnvelope({
        phase: "awaiting_approval",
        actor: "prep",
        attempt: 0,
        max_attempts: 0,
        reason: "test-reason",
        error: { type: "ValueError", message: "from the previous hop" },
        created_at: "2026-11-24T10:00:00.123456789Z",
        updated_at: "2026-11-24T10:00:00.123456789Z",
      }),
    );
    const out = await t.spy.waitFor("go-1", { to: "post" });
    expect(seen[1]).toBe(1);
    // On receipt: processing at this actor; the previous hop's reason and error cleared, 0 = unknown.
    expect(seen[0]).toMatchObject({ phase: "processing", actor: "h", attempt: 1 });
    expect(seen[0]).not.toHaveProperty("reason");
    expect(seen[0]).not.toHaveProperty("error");
    expect(seen[0]).not.toHaveProperty("max_attempts");
    // What we write is strict: our phase, a 1-based attempt, created_at kept.
    expect(out.envelope?.status).toEqual({
      phase: "pending",
      actor: "post",
      attempt: 1,
      created_at: "2026-11-24T10:00:00.123456789Z",
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it("a Go retry (same actor, attempt 2) keeps its attempt count; attempt 0 at the same actor reads as 1", async () => {
    const t = setup();
    const attempts: number[] = [];
    await t.actor({
      name: "h",
      handler: (p: unknown, ctx: HandlerContext) => {
        attempts.push(ctx.attempt);
        return p;
      },
    });
    await publishRaw(t, "h", goEnvelope({ phase: "retrying", actor: "h", attempt: 2, max_attempts: 3 }));
    await t.spy.waitFor("go-1", { to: "post" });
    await publishRaw(t, "h", goEnvelope({ phase: "retrying", actor: "h", attempt: 0 }, { id: "go-2" }));
    await t.spy.waitFor("go-2", { to: "post" });
    expect(attempts).toEqual([2, 1]);
  });

  it.each(["not-a-timestamp", "1708862400", "2024-02-25 12:00:00", "2026-02-25 12:00:00Z"])(
    "deadline_at %j is no SLA: the handler runs, one warning, the value carried unchanged",
    async (deadline) => {
      const t = setup();
      const lines: string[] = [];
      const logger = createJsonLogger({ level: "warn", write: (line) => lines.push(line) });
      let calls = 0;
      await t.actor({
        name: "h",
        logger,
        handler: (p: unknown) => {
          calls += 1;
          return p;
        },
      });
      await publishRaw(
        t,
        "h",
        goEnvelope({ phase: "pending", actor: "h", attempt: 1, deadline_at: deadline }),
      );
      const out = await t.spy.waitFor("go-1", { to: "post" });
      expect(calls).toBe(1);
      expect(out.envelope?.status?.deadline_at).toBe(deadline);
      const warnings = lines.filter((line) => line.includes("deadline_at is not an RFC 3339 instant"));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? "{}")).toMatchObject({ envelope_id: "go-1", deadline_at: deadline });
    },
  );

  it("a valid RFC 3339 deadline in the past still ends the envelope Timeout without calling the handler", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({ name: "h", handler: () => calls++ });
    await publishRaw(t, "h", goEnvelope({ phase: "pending", deadline_at: "2026-02-25T12:00:00+05:00" }));
    const done = await t.spy.waitFor("go-1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "failed", reason: "Timeout" });
    expect(calls).toBe(0);
  });

  it("x-sink and x-sump store Asya's terminal envelopes unchanged (max_attempts 0, free-form reason)", async () => {
    const t = setup();
    const results = createMemoryStore();
    const failures = createMemoryStore();
    const sink = createSinkActor({ transport: t.transport, store: results, logger: quietLogger });
    const sump = createSumpActor({ transport: t.transport, store: failures, logger: quietLogger });
    await sink.start();
    await sump.start();
    const finished = {
      id: "go-done",
      route: { prev: ["prep", "infer"], curr: "", next: [] },
      status: {
        phase: "succeeded",
        actor: "infer",
        attempt: 1,
        max_attempts: 0,
        reason: "Completed",
        created_at: "2026-11-24T10:00:00.123456789Z",
        updated_at: "2026-11-24T10:00:02.987654321Z",
      },
      payload: { ok: true },
    };
    const failed = {
      ...finished,
      id: "go-failed",
      status: {
        ...finished.status,
        phase: "failed",
        reason: "MaxRetriesExhausted",
        error: { type: "E", message: "m" },
      },
    };
    await t.transport.publish(queueName("x-sink"), { body: encodeEnvelope(finished) });
    await t.transport.publish(queueName("x-sink"), { body: encodeEnvelope(failed) });
    await t.spy.waitFor("go-failed", { to: "x-sump" });
    await expect.poll(() => results.envelopes.length).toBe(2);
    await expect.poll(() => failures.envelopes.length).toBe(1);
    expect(results.envelopes.find((e) => e.id === "go-done")).toEqual(finished);
    expect(failures.envelopes[0]?.status).toEqual(failed.status);
    expect(sump.counts()).toEqual({ MaxRetriesExhausted: 1 });
    await sink.stop();
    await sump.stop();
  });
});
