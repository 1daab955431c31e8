import { parseDuration, RuntimeConfigError, resolveResiliency, TimeoutError } from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { computeBackoffMs } from "../src/backoff.js";
import { toStatusError } from "../src/error-info.js";
import { errorMatches, selectPolicy } from "../src/rule-matcher.js";

describe("parseDuration", () => {
  it.each([
    [500, 500],
    ["500", 500],
    ["500ms", 500],
    ["2s", 2_000],
    ["1.5s", 1_500],
    ["1m", 60_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
  ])("%j -> %d ms", (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });
  it.each([["-1"], ["2 weeks"], ["s"], [""], [-5], [Number.NaN]])("rejects %j", (input) => {
    expect(() => parseDuration(input as string | number)).toThrow(RuntimeConfigError);
  });
});

const base = { initialDelayMs: 100, maxIntervalMs: undefined, jitter: false } as const;

describe("computeBackoffMs", () => {
  it("exponential doubles from initialDelay", () => {
    const delays = [1, 2, 3, 4].map((n) => computeBackoffMs({ ...base, backoff: "exponential" }, n));
    expect(delays).toEqual([100, 200, 400, 800]);
  });
  it("constant stays at initialDelay", () => {
    expect([1, 2, 5].map((n) => computeBackoffMs({ ...base, backoff: "constant" }, n))).toEqual([
      100, 100, 100,
    ]);
  });
  it("linear is n x initialDelay", () => {
    expect([1, 2, 3].map((n) => computeBackoffMs({ ...base, backoff: "linear" }, n))).toEqual([
      100, 200, 300,
    ]);
  });
  it("maxInterval caps the delay", () => {
    expect(computeBackoffMs({ ...base, backoff: "exponential", maxIntervalMs: 250 }, 5)).toBe(250);
  });
  it("jitter multiplies by a factor in [0.5, 1.5)", () => {
    const policy = { ...base, backoff: "constant", jitter: true } as const;
    expect(computeBackoffMs(policy, 1, () => 0)).toBe(50);
    expect(computeBackoffMs(policy, 1, () => 0.999_999)).toBe(150);
    for (let i = 0; i < 200; i += 1) {
      const delay = computeBackoffMs(policy, 1);
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(150);
    }
  });
});

class AppError extends Error {
  override name = "AppError";
}
class RateLimitError extends AppError {
  override name = "RateLimitError";
}

describe("toStatusError", () => {
  it("gives type, mro without the class itself and Error, message and traceback", () => {
    const info = toStatusError(new RateLimitError("slow down"));
    expect(info).toMatchObject({ type: "RateLimitError", mro: ["AppError"], message: "slow down" });
    expect(info.traceback).toContain("RateLimitError");
  });
  it("handles built-ins, TimeoutError and non-errors", () => {
    expect(toStatusError(new TypeError("x"))).toMatchObject({ type: "TypeError", mro: [] });
    expect(toStatusError(new TimeoutError(10))).toMatchObject({ type: "TimeoutError", mro: [] });
    expect(toStatusError("boom")).toEqual({ type: "Error", mro: [], message: "boom", traceback: "" });
  });
});

describe("rule matching", () => {
  it("bare patterns match the last dot-segment, dotted ones must be equal, Error matches all", () => {
    expect(errorMatches("RateLimitError", ["app.errors.RateLimitError"])).toBe(true);
    expect(errorMatches("errors.RateLimitError", ["app.errors.RateLimitError"])).toBe(false);
    expect(errorMatches("app.errors.RateLimitError", ["app.errors.RateLimitError"])).toBe(true);
    expect(errorMatches("Limit", ["RateLimitError"])).toBe(false);
    expect(errorMatches("Error", ["Anything"])).toBe(true);
  });
  const config = resolveResiliency({
    policies: { fast: { maxAttempts: 2 }, slow: { maxAttempts: 5 }, default: { maxAttempts: 3 } },
    rules: [
      { errors: ["AppError"], policy: "fast" },
      { errors: ["RateLimitError"], policy: "slow" },
    ],
  });
  it("first matching rule wins, candidates include the mro", () => {
    expect(selectPolicy(config, toStatusError(new RateLimitError("x")))?.name).toBe("fast");
  });
  it("falls back to policies.default, or none", () => {
    expect(selectPolicy(config, toStatusError(new TypeError("x")))?.name).toBe("default");
    const noDefault = resolveResiliency({
      policies: { fast: {} },
      rules: [{ errors: ["AppError"], policy: "fast" }],
    });
    expect(selectPolicy(noDefault, toStatusError(new TypeError("x")))).toBeUndefined();
  });
});

describe("resolveResiliency", () => {
  it("applies defaults and accepts timeout.actor and thenRoute", () => {
    expect(resolveResiliency().actorTimeoutMs).toBe(300_000);
    const config = resolveResiliency({ timeout: { actor: "2s" }, policies: { p: { thenRoute: ["fix"] } } });
    expect(config.actorTimeoutMs).toBe(2_000);
    expect(config.policies.p).toMatchObject({ maxAttempts: 1, backoff: "exponential", onExhausted: ["fix"] });
  });
  it("rejects unknown policies in rules and bad fields", () => {
    expect(() => resolveResiliency({ rules: [{ errors: ["E"], policy: "nope" }] })).toThrow(
      /resiliency\.rules\[0\]\.policy: unknown policy "nope"/,
    );
    expect(() => resolveResiliency({ policies: { p: { backoff: "random" as "linear" } } })).toThrow(
      /backoff/,
    );
    expect(() => resolveResiliency({ actorTimeout: "soon" })).toThrow(/actorTimeout/);
  });
});

describe("error info (SPEC 1: mro without the class itself)", () => {
  it("a subclass of a built-in error without its own name reports its class as type", () => {
    class BadInput extends TypeError {}
    class WorseInput extends BadInput {}
    expect(toStatusError(new BadInput("x"))).toMatchObject({ type: "BadInput", mro: ["TypeError"] });
    expect(toStatusError(new WorseInput("x"))).toMatchObject({
      type: "WorseInput",
      mro: ["BadInput", "TypeError"],
    });
  });
});

describe("resiliency config", () => {
  it("rejects onExhausted/thenRoute entries that are not actor names", () => {
    expect(() => resolveResiliency({ policies: { default: { onExhausted: ["Not_An_Actor"] } } })).toThrow(
      RuntimeConfigError,
    );
    expect(() => resolveResiliency({ policies: { default: { thenRoute: ["ok", "BAD"] } } })).toThrow(
      /policies\.default\.thenRoute/,
    );
  });
});
