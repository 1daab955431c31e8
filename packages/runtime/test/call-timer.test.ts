import { describe, expect, it, vi } from "vitest";
import { createCallTimer } from "../src/internal/message-path/call-timer.js";

// The one timer structure behind every handler call's time limit.
describe("call timer", () => {
  it("expires calls in due order, skips cancelled ones, and re-arms for later ones", () => {
    vi.useFakeTimers();
    try {
      const timer = createCallTimer();
      const fired: string[] = [];
      timer.schedule(300, () => fired.push("c"));
      timer.schedule(100, () => fired.push("a"));
      const cancelB = timer.schedule(200, () => fired.push("b"));
      timer.schedule(100, () => fired.push("a2"));
      cancelB();
      vi.advanceTimersByTime(150);
      expect(fired.sort()).toEqual(["a", "a2"]);
      vi.advanceTimersByTime(200);
      expect(fired).toContain("c");
      expect(fired).not.toContain("b");
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("holds no timer once every call has ended, so a finished process can exit", () => {
    vi.useFakeTimers();
    try {
      const timer = createCallTimer();
      const cancels = Array.from({ length: 1000 }, () => timer.schedule(300_000, () => undefined));
      expect(vi.getTimerCount()).toBe(1);
      for (const cancel of cancels) cancel();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("compacts cancelled entries while others are in flight (memory follows calls in flight)", () => {
    vi.useFakeTimers();
    try {
      const timer = createCallTimer();
      const expired: number[] = [];
      const keep = timer.schedule(1_000, () => expired.push(-1));
      for (let i = 0; i < 100_000; i += 1) timer.schedule(300_000, () => expired.push(i))();
      vi.advanceTimersByTime(300_001);
      expect(expired).toEqual([-1]);
      keep();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
