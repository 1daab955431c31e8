import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBackoffMs } from "../src/backoff.js";
import { setup } from "./helpers.js";

describe("properties", () => {
  it("backoff is non-negative, capped by maxInterval and within the jitter band", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("exponential", "constant", "linear"),
        fc.integer({ min: 0, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 60_000 }), { nil: undefined }),
        fc.boolean(),
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        (backoff, initialDelayMs, maxIntervalMs, jitter, attempt, r) => {
          const policy = { backoff, initialDelayMs, maxIntervalMs, jitter } as const;
          const delay = computeBackoffMs(policy, attempt, () => r);
          const plain = computeBackoffMs({ ...policy, jitter: false, maxIntervalMs: undefined }, attempt);
          expect(delay).toBeGreaterThanOrEqual(0);
          if (maxIntervalMs !== undefined) expect(delay).toBeLessThanOrEqual(maxIntervalMs);
          const uncapped = jitter ? plain * (0.5 + r) : plain;
          expect(
            Math.abs(delay - Math.min(uncapped, maxIntervalMs ?? Number.POSITIVE_INFINITY)),
          ).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it("fan-out: ids are <id>, <id>-1, ... and each output is routed by next as it stood", async () => {
    const t = setup();
    await t.actor({
      name: "planner",
      *handler(payload: { plan: string[][] }, ctx) {
        for (const [index, next] of payload.plan.entries()) {
          ctx.route.next = next;
          yield { index };
        }
      },
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom("a", "b", "c"), { maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        async (plan) => {
          run += 1;
          const id = `prop-${run}`;
          await t.send({
            id,
            route: { prev: ["origin"], curr: "planner", next: ["ignored"] },
            payload: { plan },
          });
          for (const [index, next] of plan.entries()) {
            const childId = index === 0 ? id : `${id}-${index}`;
            const record = await t.spy.waitFor(childId, { predicate: (r) => r.to !== "planner" });
            const envelope = record.envelope!;
            expect(envelope.payload).toEqual({ index });
            expect(envelope.parent_id).toBe(index === 0 ? undefined : id);
            expect(envelope.route).toEqual({
              prev: ["origin", "planner"],
              curr: next[0] ?? "",
              next: next.slice(1),
            });
            expect(record.to).toBe(next[0] ?? "x-sink");
            expect(envelope.status?.phase).toBe(next.length === 0 ? "succeeded" : "pending");
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
