import {
  type Envelope,
  EnvelopeError,
  formatPath,
  type StatusPatch,
  stampStatus,
  statusOutputSchema,
  statusPhaseSchema,
  statusReasonSchema,
  validateEnvelope,
} from "@asya/envelope";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { isWrittenStatusField } from "../src/internal/is-written-status-field.js";
import { copyStatusError } from "../src/internal/zod-copy.js";
import * as arb from "./arbitraries.js";
import { edgeJsonValue, exoticValue } from "./envelope-mutations.js";
import { wire } from "./helpers.js";

const shape: Readonly<Record<string, z.ZodType>> = statusOutputSchema.shape;
const keys = Object.keys(shape);

/** RFC 3339 stamps and near misses: one character replaced, dropped or added, other zones. */
const timestamp = fc.oneof(
  fc
    .tuple(
      fc.date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      }),
      fc.constantFrom("Z", "z", "+00:00", "-05:30", "+23:59", "+24:00", "-00:60", "+0000", "", "+05"),
      fc.constantFrom("T", "t", " ", "_"),
      fc.constantFrom("", ".1", ".123456789", ".", ".x"),
    )
    .map(([date, zone, separator, fraction]) => {
      const iso = date.toISOString();
      return `${iso.slice(0, 10)}${separator}${iso.slice(11, 19)}${fraction}${zone}`;
    }),
  fc
    .tuple(
      fc.date({ noInvalidDate: true }),
      fc.nat(),
      fc.constantFrom("", "0", "9", "6", "3", "1", ":", "-", "x", "T"),
    )
    .map(([date, at, replacement]) => {
      const iso = date.toISOString();
      const i = at % iso.length;
      return `${iso.slice(0, i)}${replacement}${iso.slice(i + 1)}`;
    }),
  fc.constantFrom(
    "2026-11-24T10:00:60Z",
    "2026-11-24T10:00:61Z",
    "2026-11-24T24:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-00-10T10:00:00Z",
    "2026-11-00T10:00:00Z",
    "2026-11-32T10:00:00Z",
    "+02026-11-24T10:00:00Z",
    "2026-11-24T10:00:00Z\n",
  ),
);

/** Values for a status field: the right kind, near misses of it, anything else. */
const fieldValue = fc.oneof(
  fc.constantFrom<unknown>(
    ...statusPhaseSchema.options,
    ...statusReasonSchema.options,
    "Pending",
    "completed",
  ),
  arb.actorName,
  timestamp,
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom<unknown>(2 ** 53 - 1, 2 ** 53, 1.0000001, -0),
  fc.record(
    {
      type: fc.oneof(fc.string(), fc.integer()),
      message: fc.string(),
      mro: fc.array(fc.string()),
      traceback: fc.string(),
    },
    { requiredKeys: [] },
  ),
  edgeJsonValue,
  exoticValue,
);

const knownKey = fc.constantFrom(...keys);

/** Values of the kind `key` takes, so that both answers come up for every field. */
const matching: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  phase: fc.constantFrom(...statusPhaseSchema.options, "Pending", "awaiting_approval"),
  reason: fc.constantFrom(...statusReasonSchema.options, "completed", "MaxRetriesExhausted"),
  actor: fc.oneof(arb.actorName, fc.constant(""), fc.string({ maxLength: 65 })),
  attempt: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.double()),
  max_attempts: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(2 ** 53 - 1, 2 ** 53)),
  created_at: timestamp,
  updated_at: timestamp,
  deadline_at: timestamp,
  error: fc.record(
    {
      type: fc.oneof(fc.string(), fc.constant(1)),
      message: fc.string(),
      mro: fc.oneof(fc.array(fc.string()), fc.constant(["a", 1])),
      traceback: fc.oneof(fc.string(), fc.constant(null)),
      code: fc.integer(),
    },
    { requiredKeys: [] },
  ),
};

const keyAndValue = knownKey.chain((key) =>
  fc.tuple(
    fc.constant(key),
    fc.oneof({ weight: 3, arbitrary: matching[key] ?? fieldValue }, { weight: 1, arbitrary: fieldValue }),
  ),
);

describe("the hand-written status field checks accept exactly what statusOutputSchema accepts", () => {
  it("every field of the schema has a hand-written check", () => {
    const sample: Record<string, unknown> = {
      phase: "pending",
      actor: "infer",
      attempt: 1,
      max_attempts: 3,
      created_at: "2026-11-24T10:00:00Z",
      updated_at: "2026-11-24T10:00:00.000Z",
      deadline_at: "2026-11-24T10:00:00+01:00",
      reason: "Completed",
      error: { type: "E", message: "m" },
    };
    expect(keys.sort()).toEqual(Object.keys(sample).sort());
    for (const key of keys) expect(isWrittenStatusField(key, sample[key]), key).toBe(true);
  });

  it("on values of every kind, for every field", () => {
    let accepted = 0;
    fc.assert(
      fc.property(keyAndValue, ([key, value]) => {
        const result = (shape[key] as z.ZodType).safeParse(value);
        expect(isWrittenStatusField(key, value)).toBe(result.success);
        if (!result.success) return;
        accepted++;
        // What stampStatus stores instead of zod's output: the value itself, or the error's copy.
        if (key !== "error") expect(Object.is(result.data, value)).toBe(true);
        else if (value !== undefined) {
          const copy = copyStatusError(value as never);
          expect(copy).toStrictEqual(result.data);
          expect(Object.keys(copy)).toEqual(Object.keys(result.data as object));
        }
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(1000);
  });

  it("leaves every other key to zod", () => {
    for (const key of ["node", "toString", "__proto__", "constructor", ""]) {
      expect(isWrittenStatusField(key, "pending")).toBe(false);
    }
  });

  it.each<[string, unknown, boolean]>([
    ["phase", "pending", true],
    ["phase", "canceled", true],
    ["phase", "awaiting_approval", false],
    ["phase", "Pending", false],
    ["phase", undefined, false],
    ["reason", "PolicyRouted", true],
    ["reason", "MaxRetriesExhausted", false],
    ["reason", "", false],
    ["actor", "", true],
    ["actor", "x-sink", true],
    ["actor", "X-sink", false],
    ["actor", "a".repeat(64), false],
    ["actor", 1, false],
    ["attempt", 1, true],
    ["attempt", 0, false],
    ["attempt", 2.5, false],
    ["attempt", 2 ** 53, false],
    ["max_attempts", "3", false],
    ["created_at", "2026-11-24T10:00:02.123456789+01:00", true],
    ["created_at", "2026-11-24t10:00:02z", true],
    ["created_at", "2026-11-24 10:00:02Z", true],
    ["updated_at", "2026-11-24T10:00:60Z", true],
    ["updated_at", "2026-11-24T10:00:02", false],
    ["deadline_at", "2026-11-24T10:00:02+0100", false],
    ["deadline_at", "1708862400", false],
    ["error", { type: "E", message: "m", mro: ["A"], traceback: "t", code: 7 }, true],
    ["error", { type: "E" }, false],
    ["error", { type: "E", message: "m", mro: [1] }, false],
    ["error", [], false],
  ])("%s = %j", (key, value, accepted) => {
    expect((shape[key] as z.ZodType).safeParse(value).success).toBe(accepted);
    expect(isWrittenStatusField(key, value)).toBe(accepted);
  });
});

/** stampStatus as it was when every patched field went through zod: the oracle. */
function zodStampStatus(envelope: Envelope, patch: StatusPatch, now: Date): Envelope {
  const stamp = now.toISOString();
  const merged: Record<string, unknown> = { ...envelope.status };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) {
      delete merged[key];
      continue;
    }
    const field = (shape as Record<string, z.ZodType | undefined>)[key];
    if (field === undefined) {
      merged[key] = value;
      continue;
    }
    const result = field.safeParse(value);
    if (!result.success) throw zodStatusError([key], result.error.issues);
    merged[key] = result.data;
  }
  if (merged.phase === undefined) throw zodStatusError(["phase"], [], "a status needs a phase");
  merged.created_at = envelope.status?.created_at ?? patch.created_at ?? stamp;
  merged.updated_at = stamp;
  return { ...envelope, status: merged as Envelope["status"] };
}

function zodStatusError(at: readonly string[], issues: readonly z.core.$ZodIssue[], fallback = "invalid") {
  const issue = issues[0];
  const path = [
    "status",
    ...at,
    ...(issue?.path ?? []).map((part) => (typeof part === "symbol" ? String(part) : part)),
  ];
  return new EnvelopeError(`invalid status: ${formatPath(path)}: ${issue?.message ?? fallback}`, {
    code: "INVALID_ENVELOPE",
    path,
    issues: [...issues],
  });
}

function outcome(fn: () => Envelope) {
  try {
    return { envelope: fn() };
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    const { code, message, path, issues } = error;
    return { error: { code, message, path, issues } };
  }
}

describe("stampStatus", () => {
  it("stamps exactly as the all-zod version did: same status, same key order, same errors", () => {
    const entry = fc.oneof(
      keyAndValue,
      fc.tuple(fc.constantFrom("node", "extra"), fieldValue),
      fc.tuple(knownKey, fc.constant(undefined)),
    );
    const patch = fc.array(entry, { maxLength: 4 }).map((entries) => Object.fromEntries(entries));
    const now = new Date("2026-11-24T10:00:05Z");
    fc.assert(
      fc.property(arb.envelope, patch, (input, fields) => {
        const envelope = validateEnvelope(input);
        const ours = outcome(() => stampStatus(envelope, fields as StatusPatch, now));
        const expected = outcome(() => zodStampStatus(envelope, fields as StatusPatch, now));
        expect(ours).toStrictEqual(expected);
        if (ours.envelope !== undefined && expected.envelope !== undefined) {
          expect(Object.keys(ours.envelope.status ?? {})).toEqual(
            Object.keys(expected.envelope.status ?? {}),
          );
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("copies a patched error block, as zod did", () => {
    const error = { message: "m", type: "E", extra: 1 };
    const stamped = stampStatus(validateEnvelope(wire()), { phase: "failed", error }, new Date(0));
    expect(stamped.status?.error).not.toBe(error);
    expect(Object.keys(stamped.status?.error ?? {})).toEqual(["type", "message", "extra"]);
  });
});
