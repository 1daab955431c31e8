import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

describe("limits", () => {
  it("an actorTimeout beyond the timer range does not time out every call at once", async () => {
    const t = setup();
    await t.actor({
      name: "long-limit",
      resiliency: { actorTimeout: "700h" },
      handler: async (p: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return p;
      },
    });
    await t.send({ id: "ll-1", route: ["long-limit"], payload: { v: 1 } });
    const done = await t.spy.waitFor("ll-1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "succeeded", reason: "Completed" });
  });

  it("an unserializable handler result is a handler error, not an endless redelivery", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({
      name: "bigint",
      handler: () => {
        calls += 1;
        return { n: 1n };
      },
    });
    await t.send({ id: "bi-1", route: ["bigint", "after"], payload: { keep: true } });
    const done = await t.spy.waitFor("bi-1", { to: "x-sink" }, { timeoutMs: 3_000 });
    expect(done.envelope).toMatchObject({
      payload: { keep: true },
      status: { phase: "failed", reason: "RuntimeError", actor: "bigint" },
    });
    expect(calls).toBe(1);
  });
});
