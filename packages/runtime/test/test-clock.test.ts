import type { Envelope } from "@asya/envelope";
import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createActor, silentLogger } from "@asya/runtime";
import { createEnvelopeSpy, createTestClock } from "@asya/runtime/testing";
import { createMemoryTransport } from "@asya/transport";
import { describe, expect, it } from "vitest";

// A virtual clock shared by the memory transport and the runtime: minutes of retries, timeouts and
// SLAs run in milliseconds, the same way every time.
const START = Date.parse("2026-01-01T00:00:00Z");

async function world(
  handler: (payload: unknown) => unknown,
  resiliency: Parameters<typeof createActor>[0]["resiliency"],
) {
  const clock = createTestClock(START);
  const transport = createMemoryTransport({ clock });
  const spy = createEnvelopeSpy(transport);
  const actor = createActor({
    name: "work",
    transport,
    clock,
    logger: silentLogger,
    handler,
    ...(resiliency === undefined ? {} : { resiliency }),
  });
  await actor.start();
  const send = async (envelope: Envelope) => {
    await transport.publish("asya-work", { body: encodeEnvelope(envelope) });
  };
  const close = async () => {
    await actor.stop({ graceMs: 0 });
    await transport.close();
  };
  return { clock, spy, send, close };
}

describe("createTestClock with createActor and the memory transport", () => {
  it("a 5-attempt exponential policy within a 10-minute maxDuration, in milliseconds", async () => {
    const calls: number[] = [];
    const w = await world(
      () => {
        calls.push(calls.length);
        throw new Error("down");
      },
      {
        policies: {
          default: { maxAttempts: 5, backoff: "exponential", initialDelay: "1m", maxDuration: "10m" },
        },
      },
    );
    const attemptsAt: number[] = [];
    const started = performance.now();
    await w.send(createEnvelope({ id: "r-1", route: ["work"], payload: {} }));
    await w.clock.runAll();
    for (const record of w.spy.history("r-1")) {
      if (record.to === "work" && record.envelope?.status?.phase === "retrying") {
        attemptsAt.push(Date.parse(record.envelope.status.updated_at ?? "") - START);
      }
    }
    const done = await w.spy.waitFor("r-1", { to: "x-sink" });
    // Attempts at 0, 1m, 3m, 7m; the 5th would start at 15m, past the 10-minute budget.
    expect(calls).toHaveLength(4);
    expect(attemptsAt).toEqual([0, 60_000, 180_000]);
    expect(done.envelope?.status).toMatchObject({ phase: "failed", reason: "PolicyExhausted", attempt: 4 });
    expect(Date.parse(done.envelope?.status?.updated_at ?? "") - START).toBe(420_000);
    expect(performance.now() - started).toBeLessThan(5_000);
    await w.close();
  });

  it("a handler that never answers times out at actorTimeout on the virtual clock", async () => {
    const w = await world(() => new Promise(() => undefined), { actorTimeout: "2m" });
    await w.send(createEnvelope({ id: "t-1", route: ["work"], payload: {} }));
    await w.clock.advance(119_000);
    expect(w.spy.history("t-1").some((record) => record.to === "x-sink")).toBe(false);
    await w.clock.advance(1_000);
    const done = await w.spy.waitFor("t-1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({
      phase: "failed",
      reason: "RuntimeError",
      error: { type: "TimeoutError" },
    });
    await w.close();
  });

  it("the SLA: a deadline_at 30 s ahead limits the call to 30 s", async () => {
    const w = await world(() => new Promise(() => undefined), { actorTimeout: "5m" });
    const deadline = new Date(START + 30_000).toISOString();
    await w.send(
      createEnvelope({
        id: "s-1",
        route: ["work"],
        payload: {},
        status: { phase: "pending", deadline_at: deadline },
      }),
    );
    await w.clock.advance(30_000);
    const done = await w.spy.waitFor("s-1", { to: "x-sink" });
    expect(done.envelope?.status?.error?.type).toBe("TimeoutError");
    expect(Date.parse(done.envelope?.status?.updated_at ?? "") - START).toBe(30_000);
    await w.close();
  });
});
