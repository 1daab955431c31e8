import { createTestClock, createTimers } from "@asya/transport";
import { describe, expect, it } from "vitest";

// The broker's timer structure as a public utility (the runtime's per-call time limits use it).
describe("createTimers", () => {
  it("expires in due order, skips cancelled ones, and re-arms for later ones", async () => {
    const clock = createTestClock(0);
    const timers = createTimers(clock);
    const fired: string[] = [];
    timers.schedule(300, () => fired.push("c"));
    timers.schedule(100, () => fired.push("a"));
    const cancelB = timers.schedule(200, () => fired.push("b"));
    timers.schedule(100, () => fired.push("a2"));
    cancelB();
    await clock.advance(150);
    expect(fired).toEqual(["a", "a2"]);
    await clock.advance(200);
    expect(fired).toEqual(["a", "a2", "c"]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("holds no timer once everything is cancelled, so a finished process can exit", () => {
    const clock = createTestClock(0);
    const timers = createTimers(clock);
    const cancels = Array.from({ length: 1000 }, () => timers.schedule(300_000, () => undefined));
    expect(clock.pendingTimers).toBe(1); // one clock timer, whatever the number of entries
    for (const cancel of cancels) cancel();
    expect(clock.pendingTimers).toBe(0);
  });

  it("cancelled entries leave at once while others are pending; the clock timer follows the earliest", async () => {
    const clock = createTestClock(0);
    const timers = createTimers(clock);
    const expired: number[] = [];
    const keep = timers.schedule(1_000, () => expired.push(-1));
    for (let i = 0; i < 100_000; i += 1) timers.schedule(300_000, () => expired.push(i))();
    await clock.advance(300_001);
    expect(expired).toEqual([-1]);
    keep();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("createTestClock", () => {
  it("fires timers in due order at their own times, only when advanced; runAll drains", async () => {
    const clock = createTestClock(1_000);
    const timers = createTimers(clock);
    const fired: Array<[string, number]> = [];
    timers.schedule(500, () => fired.push(["b", clock.now()]));
    timers.schedule(100, () => {
      fired.push(["a", clock.now()]);
      timers.schedule(100, () => fired.push(["a-then", clock.now()]));
    });
    timers.schedule(10_000, () => fired.push(["late", clock.now()]));
    expect(clock.now()).toBe(1_000);
    await clock.advance(600);
    expect(fired).toEqual([
      ["a", 1_100],
      ["a-then", 1_200],
      ["b", 1_500],
    ]);
    expect(clock.now()).toBe(1_600);
    expect(await clock.runAll()).toBe(1);
    expect(fired.at(-1)).toEqual(["late", 11_000]);
    expect(clock.pendingTimers).toBe(0);
  });
});
