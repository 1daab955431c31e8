import { describe, expect, it } from "vitest";
import { z } from "zod";
import { setup } from "./helpers.js";

describe("payloadSchema", () => {
  const order = z.object({ sku: z.string(), items: z.array(z.object({ price: z.number().positive() })) });

  it("hands the parsed payload to the handler", async () => {
    const t = setup();
    const seen: unknown[] = [];
    await t.actor({
      name: "priced",
      payloadSchema: order.transform((value) => ({
        ...value,
        total: value.items.reduce((a, i) => a + i.price, 0),
      })),
      handler: (payload: { total: number }) => {
        seen.push(payload);
        return payload;
      },
    });
    await t.send({
      id: "ok-1",
      route: ["priced"],
      payload: { sku: "a", items: [{ price: 2 }, { price: 3 }] },
    });
    const done = await t.spy.waitFor("ok-1", { to: "x-sink" });
    expect(done.envelope?.payload).toMatchObject({ total: 5 });
    expect(seen).toHaveLength(1);
  });

  it("an invalid payload fails at once with PayloadValidationError naming the field; never retried", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({
      name: "strict",
      payloadSchema: order,
      resiliency: { policies: { default: { maxAttempts: 5, initialDelay: 1 } } },
      handler: (p: unknown) => {
        calls += 1;
        return p;
      },
    });
    await t.send({
      id: "bad-1",
      route: ["strict", "next"],
      payload: { sku: "a", items: [{ price: 1 }, { price: -2 }] },
    });
    const done = await t.spy.waitFor("bad-1", { to: "x-sink" });
    expect(calls).toBe(0);
    expect(done.envelope?.payload).toEqual({ sku: "a", items: [{ price: 1 }, { price: -2 }] });
    expect(done.envelope?.status).toMatchObject({
      phase: "failed",
      reason: "RuntimeError",
      error: { type: "PayloadValidationError" },
    });
    expect(done.envelope?.status?.error?.message).toMatch(
      /^\[asya:runtime\] invalid payload: items\[1\]\.price: /,
    );
    expect(t.spy.history("bad-1").some((record) => record.envelope?.status?.phase === "retrying")).toBe(
      false,
    );
  });

  it("rejects an option that is not a schema", async () => {
    const t = setup();
    await expect(
      t.actor({ name: "x", payloadSchema: { parse: () => 1 } as never, handler: (p: unknown) => p }),
    ).rejects.toThrow(/payloadSchema: must be a schema with safeParse/);
  });
});
