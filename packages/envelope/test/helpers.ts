import { EnvelopeError } from "@asya/envelope";
import { expect } from "vitest";

/** Runs `fn`, asserts it throws an EnvelopeError with `code`, and returns the error. */
export function expectEnvelopeError(fn: () => unknown, code: EnvelopeError["code"]): EnvelopeError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EnvelopeError);
  const error = caught as EnvelopeError;
  expect(error.code).toBe(code);
  expect(error.retryable).toBe(false);
  expect(error.name).toBe("EnvelopeError");
  expect(error.message.startsWith("[asya:envelope] ")).toBe(true);
  return error;
}

/** A valid wire envelope as a plain object; `overrides` replace top-level fields. */
export function wire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "env-1",
    route: { prev: ["prep"], curr: "infer", next: ["post", "store"] },
    headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    payload: { text: "hello" },
    ...overrides,
  };
}
