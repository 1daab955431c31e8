import { EnvelopeError, envelopeSchema, parseEnvelope, validateEnvelope } from "@asya/envelope";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invalidEnvelope } from "../src/internal/invalid-envelope.js";
import { isEnvelope, isParsedEnvelope } from "../src/internal/is-envelope.js";
import { DNS_1123_LABEL, isDns1123Label } from "../src/internal/patterns.js";
import { hasForbiddenKey } from "./arbitraries.js";
import { anyCandidate, jsonCandidate } from "./envelope-mutations.js";
import { wire } from "./helpers.js";

const zodAccepts = (value: unknown): boolean => envelopeSchema.safeParse(value).success;

/** Runs `fn` and returns what it threw (`undefined` when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** The fields that make up an EnvelopeError's identity. */
function fieldsOf(error: unknown) {
  expect(error).toBeInstanceOf(EnvelopeError);
  const { code, message, path, issues, retryable } = error as EnvelopeError;
  return { code, message, path, issues, retryable };
}

describe("the hand-written envelope check accepts exactly what envelopeSchema accepts", () => {
  it("on valid envelopes and JSON near misses, as JSON.parse returns them", () => {
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(jsonCandidate, (value) => {
        const expected = zodAccepts(value);
        expect(isParsedEnvelope(value)).toBe(expected);
        expect(isEnvelope(value)).toBe(expected);
        if (expected) accepted++;
        else rejected++;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the rules are exercised, not only one.
    expect(accepted).toBeGreaterThan(300);
    expect(rejected).toBeGreaterThan(300);
  });

  it("on exotic in-process values: undefined, holes, prototypes, symbols, boxes", () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyCandidate, (value) => {
        const expected = zodAccepts(value);
        expect(isEnvelope(value)).toBe(expected);
        if (expected) accepted++;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  const route = { prev: ["prep"], curr: "infer", next: ["post"] };
  const status = { phase: "pending" };
  const error = { type: "E", message: "m" };
  it.each<[string, Record<string, unknown>, boolean]>([
    ["a minimal envelope", { headers: undefined }, true],
    ["id missing", { id: undefined }, false],
    ["id empty", { id: "" }, false],
    ["id not a string", { id: 1 }, false],
    ["parent_id absent or undefined", { parent_id: undefined }, true],
    ["parent_id empty", { parent_id: "" }, false],
    ["parent_id a number", { parent_id: 2 }, false],
    ["route missing", { route: undefined }, false],
    ["route an array", { route: [] }, false],
    ["route with unknown keys", { route: { ...route, hops: 3 } }, true],
    ["route.prev missing", { route: { curr: "a", next: [] } }, false],
    ["route.prev with an empty name", { route: { ...route, prev: [""] } }, false],
    ["route.prev with an upper-case name", { route: { ...route, prev: ["Prep"] } }, false],
    ["route.next with a leading dash", { route: { ...route, next: ["-a"] } }, false],
    ["route.next with a trailing dash", { route: { ...route, next: ["a-"] } }, false],
    ["route.next with 63 characters", { route: { ...route, next: ["a".repeat(63)] } }, true],
    ["route.next with 64 characters", { route: { ...route, next: ["a".repeat(64)] } }, false],
    ["route.next with a number", { route: { ...route, next: [1] } }, false],
    ["route.curr empty (exhausted)", { route: { prev: ["a"], curr: "", next: [] } }, true],
    ["route.curr with an underscore", { route: { ...route, curr: "a_b" } }, false],
    ["route.curr null", { route: { ...route, curr: null } }, false],
    ["headers of any JSON", { headers: { a: [1, { b: null }], c: "d" } }, true],
    ["headers an array", { headers: [] }, false],
    ["headers null", { headers: null }, false],
    ["headers a string", { headers: "h" }, false],
    ["status with only a phase", { status }, true],
    ["status with an unknown phase and reason", { status: { phase: "working", reason: "Other" } }, true],
    ["status.phase empty", { status: { phase: "" } }, false],
    ["status.phase missing", { status: { actor: "a" } }, false],
    ["status.reason empty", { status: { ...status, reason: "" } }, false],
    ["status.actor any string", { status: { ...status, actor: "Not_A_Label" } }, true],
    ["status.actor a number", { status: { ...status, actor: 1 } }, false],
    ["status.attempt 0 (Go's zero value)", { status: { ...status, attempt: 0, max_attempts: 0 } }, true],
    ["status.attempt negative", { status: { ...status, attempt: -1 } }, false],
    ["status.attempt a fraction", { status: { ...status, attempt: 1.5 } }, false],
    ["status.max_attempts beyond 2^53", { status: { ...status, max_attempts: 2 ** 53 } }, false],
    ["status.max_attempts a string", { status: { ...status, max_attempts: "3" } }, false],
    ["status timestamps any string", { status: { ...status, created_at: "x", deadline_at: "" } }, true],
    ["status.updated_at a number", { status: { ...status, updated_at: 1 } }, false],
    ["status.error minimal", { status: { ...status, error } }, true],
    ["status.error full", { status: { ...status, error: { ...error, mro: ["A"], traceback: "t" } } }, true],
    ["status.error without message", { status: { ...status, error: { type: "E" } } }, false],
    ["status.error.type a number", { status: { ...status, error: { ...error, type: 1 } } }, false],
    ["status.error.mro a string", { status: { ...status, error: { ...error, mro: "A" } } }, false],
    ["status.error.mro with a number", { status: { ...status, error: { ...error, mro: [1] } } }, false],
    ["status.error.traceback a number", { status: { ...status, error: { ...error, traceback: 1 } } }, false],
    ["status an array", { status: [] }, false],
    ["payload null", { payload: null }, true],
    ["payload missing", { payload: undefined }, false],
    ["unknown top-level fields", { extra: { a: 1 }, "0": 1 }, true],
  ])("%s", (_name, overrides, accepted) => {
    const value: Record<string, unknown> = { ...wire(), ...overrides };
    // `undefined` in the table means "absent"; the exotic case (present but undefined) is below.
    for (const key of Object.keys(overrides)) if (overrides[key] === undefined) delete value[key];
    expect(zodAccepts(value)).toBe(accepted);
    expect(isEnvelope(value)).toBe(accepted);
    expect(isParsedEnvelope(JSON.parse(JSON.stringify(value)))).toBe(accepted);
  });

  it.each<[string, unknown, boolean]>([
    ["not an object", "envelope", false],
    ["optional fields present but undefined", { ...wire(), parent_id: undefined, status: undefined }, true],
    ["payload present but undefined", { ...wire(), payload: undefined }, false],
    ["headers with a null prototype", { ...wire(), headers: Object.create(null) }, true],
    ["headers a class instance", { ...wire(), headers: new (class Headers {})() }, false],
    ["headers a Map", { ...wire(), headers: new Map() }, false],
    ["headers with an enumerable symbol key", { ...wire(), headers: { [Symbol("k")]: 1 } }, false],
    [
      "route a class instance (objects need not be plain)",
      {
        ...wire(),
        route: new (class R {
          prev = [];
          curr = "a";
          next = [];
        })(),
      },
      true,
    ],
    ["fields inherited from a prototype", Object.create(wire()), true],
    // biome-ignore lint/suspicious/noSparseArray: a hole is not a name.
    ["a hole in route.next", { ...wire(), route: { prev: [], curr: "a", next: [, "b"] } }, false],
    ["status.attempt NaN", { ...wire(), status: { phase: "p", attempt: Number.NaN } }, false],
    ["status.attempt -0", { ...wire(), status: { phase: "p", attempt: -0 } }, true],
  ])("in process: %s", (_name, value, accepted) => {
    expect(zodAccepts(value)).toBe(accepted);
    expect(isEnvelope(value)).toBe(accepted);
  });

  it("spells DNS_1123_LABEL out exactly", () => {
    const unit = fc.constantFrom(
      "a",
      "z",
      "0",
      "9",
      "-",
      "A",
      "_",
      ".",
      " ",
      "\n",
      "é",
      "\u0130",
      "`",
      "{",
      "/",
      ":",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit, maxLength: 66 }),
          fc.string({ maxLength: 66 }),
          fc.string({ unit, minLength: 60, maxLength: 66 }),
        ),
        (text) => {
          expect(isDns1123Label(text)).toBe(DNS_1123_LABEL.test(text));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe("parseEnvelope and validateEnvelope answer as zod does", () => {
  it("parseEnvelope returns the parsed value or throws zod's INVALID_ENVELOPE, field for field", () => {
    fc.assert(
      fc.property(jsonCandidate, (value) => {
        fc.pre(!hasForbiddenKey(value));
        const text = JSON.stringify(value);
        const result = envelopeSchema.safeParse(JSON.parse(text));
        const error = thrown(() => parseEnvelope(text));
        if (result.success) expect(error).toBeUndefined();
        else expect(fieldsOf(error)).toEqual(fieldsOf(invalidEnvelope(result.error)));
      }),
      { numRuns: 1500 },
    );
  });

  it("validateEnvelope returns zod's copy (same keys in the same order, shared payload) or zod's error", () => {
    fc.assert(
      fc.property(anyCandidate, (value) => {
        const result = envelopeSchema.safeParse(value);
        if (!result.success) {
          expect(fieldsOf(thrown(() => validateEnvelope(value)))).toEqual(
            fieldsOf(invalidEnvelope(result.error)),
          );
          return;
        }
        const copy = validateEnvelope(value);
        expect(copy).toStrictEqual(result.data);
        expect(keyOrder(copy)).toEqual(keyOrder(result.data));
        expect(copy).not.toBe(value);
        expect(Object.is(copy.payload, result.data.payload)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("validateEnvelope's copy", () => {
  it.each<[string, string]>([
    ["an own __proto__ header", '{"__proto__":{"x":1},"a":1}'],
    ["an own __proto__ header that is null", '{"__proto__":null}'],
  ])("drops %s, as zod's record does", (_name, headers) => {
    const value = { ...wire(), headers: JSON.parse(headers) as unknown };
    const result = envelopeSchema.safeParse(value);
    expect(result.success).toBe(true);
    const copy = validateEnvelope(value);
    expect(copy).toStrictEqual(result.data);
    expect(Object.getPrototypeOf(copy.headers)).toBe(Object.prototype);
    expect(keyOrder(copy)).toEqual(keyOrder(result.data));
  });

  it("drops an own __proto__ at the top level and in route, status and status.error", () => {
    const own = (fields: Record<string, unknown>) => ({ ...JSON.parse('{"__proto__":{"x":1}}'), ...fields });
    const value = own({
      ...wire(),
      route: own({ prev: [], curr: "a", next: [] }),
      status: own({ phase: "p", error: own({ type: "E", message: "m" }) }),
    });
    const result = envelopeSchema.safeParse(value);
    expect(result.success).toBe(true);
    const copy = validateEnvelope(value);
    expect(copy).toStrictEqual(result.data);
    expect(keyOrder(copy)).toEqual(keyOrder(result.data));
  });
});

/** How an object's prototype reads in {@link keyOrder}: toStrictEqual only compares constructors. */
function prototypeOf(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype) return "Object";
  if (prototype === Array.prototype) return "Array";
  if (prototype === null) return "null";
  return `other:${typeof prototype === "object" ? Object.keys(prototype as object).join(",") : "?"}`;
}

/**
 * Every own key path, in the order the objects list them (toStrictEqual ignores key order), with
 * each object's prototype.
 */
function keyOrder(value: unknown, at = "", seen = new Set<unknown>()): string[] {
  if (typeof value !== "object" || value === null || seen.has(value)) return [];
  seen.add(value);
  return [
    `${at}<${prototypeOf(value)}>`,
    ...Reflect.ownKeys(value).flatMap((key) => {
      const path = `${at}/${String(key)}`;
      return [path, ...keyOrder((value as Record<PropertyKey, unknown>)[key], path, seen)];
    }),
  ];
}
