import { z } from "zod";
import { RuntimeConfigError } from "../errors.js";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/;

/** A duration: milliseconds as a number, or a string such as `"500ms"`, `"2s"`, `"1m"`, `"1h"`. */
export type Duration = number | string;

/**
 * Parses a duration into milliseconds. Bare numbers (and numeric strings) are milliseconds.
 *
 * @throws RuntimeConfigError code `INVALID_DURATION` for negative, non-finite or malformed values.
 * @example parseDuration("2s") // 2000
 */
export function parseDuration(value: Duration, field = "duration"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) {
      throw new RuntimeConfigError(`${field}: expected a non-negative duration, got ${value}`, {
        code: "INVALID_DURATION",
        field,
      });
    }
    return value;
  }
  const match = DURATION_PATTERN.exec(value);
  if (match === null) {
    throw new RuntimeConfigError(
      `${field}: invalid duration ${JSON.stringify(value)} (use e.g. 500, "500ms", "2s", "1m", "1h")`,
      { code: "INVALID_DURATION", field },
    );
  }
  const unit = UNIT_MS[match[2] ?? "ms"] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** Zod schema accepting a {@link Duration} and producing milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});
