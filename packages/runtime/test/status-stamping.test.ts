import type { HandlerContext } from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

describe("status stamping across hops (SPEC 1)", () => {
  it("resets attempt and x-asya-first-attempt per actor, keeps created_at and deadline_at", async () => {
    const t = setup();
    const seen: Array<{ actor: string; attempt: number; first: unknown; phase: unknown }> = [];
    const record = (ctx: HandlerContext) =>
      seen.push({
        actor: ctx.actor,
        attempt: ctx.attempt,
        first: ctx.envelope.headers?.["x-asya-first-attempt"],
        phase: ctx.envelope.status?.phase,
      });
    await t.actor({
      name: "hop-a",
      resiliency: { policies: { default: { maxAttempts: 2, initialDelay: 1 } } },
      handler: (p: unknown, ctx) => {
        record(ctx);
        if (ctx.attempt === 1) throw new Error("once");
        return p;
      },
    });
    await t.actor({
      name: "hop-b",
      handler: async (p: unknown, ctx) => {
        record(ctx);
        return p;
      },
    });
    const created = "2026-01-01T00:00:00.000Z";
    const deadline = new Date(Date.now() + 3_600_000).toISOString();
    const stale = "2000-01-01T00:00:00.000Z";
    await t.send({
      id: "hop-1",
      route: ["hop-a", "hop-b"],
      headers: { "x-asya-first-attempt": stale },
      status: {
        phase: "retrying",
        actor: "elsewhere",
        attempt: 4,
        created_at: created,
        deadline_at: deadline,
      },
      payload: {},
    });
    const done = await t.spy.waitFor("hop-1", { to: "x-sink" });
    expect(seen.map((s) => [s.actor, s.attempt, s.phase])).toEqual([
      ["hop-a", 1, "processing"],
      ["hop-a", 2, "processing"],
      ["hop-b", 1, "processing"],
    ]);
    const [a1, a2, b1] = seen.map((s) => String(s.first));
    expect(a1).not.toBe(stale);
    expect(a2).toBe(a1);
    expect(Date.parse(b1 ?? "")).toBeGreaterThanOrEqual(Date.parse(a1 ?? ""));
    expect(b1).not.toBe(a1);
    expect(done.envelope?.status).toMatchObject({
      phase: "succeeded",
      reason: "Completed",
      created_at: created,
      deadline_at: deadline,
    });
    expect(done.envelope?.headers?.["x-asya-first-attempt"]).toBeUndefined();
  });
});
