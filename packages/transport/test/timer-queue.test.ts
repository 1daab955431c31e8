import { describe, expect, it, vi } from "vitest";
import { systemClock } from "../src/clock.js";
import { type TimerNode, TimerQueue } from "../src/internal/timer-queue.js";

const now = () => systemClock.now();

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

function timerAt(dueAt: number, fired: number[], label: number): TimerNode {
  return { dueAt, seq: 0, heapIndex: -1, fire: () => fired.push(label) };
}

describe("TimerQueue", () => {
  it("fires nodes in due order from one setTimeout, not one per node", async () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
    const start = now();
    // 10,000 nodes in scrambled order, due within 20-60 ms: only a new earliest node re-arms.
    for (let i = 0; i < 10_000; i++) {
      const label = (i * 7919) % 10_000;
      queue.schedule(timerAt(start + 20 + (label % 40), fired, label));
    }
    const armed = setTimeoutSpy.mock.calls.length;
    setTimeoutSpy.mockRestore();
    expect(armed).toBeGreaterThanOrEqual(1);
    expect(armed).toBeLessThanOrEqual(40);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fired).toHaveLength(10_000);
    const dues = fired.map((label) => label % 40);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(queue.size).toBe(0);
  });

  it("never fires early and re-arms when an earlier node arrives", async () => {
    const queue = new TimerQueue();
    const fired: number[] = [];
    const start = now();
    queue.schedule(timerAt(start + 80, fired, 2));
    queue.schedule(timerAt(start + 30, fired, 1));
    const cancelled = timerAt(start + 10, fired, 0);
    queue.schedule(cancelled);
    queue.cancel(cancelled);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toEqual([1]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toEqual([1, 2]);
    expect(now() - start).toBeGreaterThanOrEqual(80);
  });

  it("does not keep the process alive when unreferenced", () => {
    const queue = new TimerQueue();
    const baseline = timeouts();
    queue.schedule(timerAt(now() + 60_000, [], 0));
    expect(timeouts() - baseline).toBe(1);
    queue.setReferenced(false);
    expect(timeouts()).toBe(baseline);
    queue.clear();
  });
});
