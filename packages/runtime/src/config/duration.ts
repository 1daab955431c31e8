import { durationMs } from "@asya/envelope";
import { RuntimeConfigError } from "../errors.js";

/** A duration: milliseconds as a number, or a string such as `"500ms"`, `"2s"`, `"1m"`, `"1h"`. */
export type Duration = number | string;

/**
 * Parses a duration into milliseconds: the rule of `@asya/envelope`'s `durationSchema` (integer
 * milliseconds, or `"500ms"`, `"2s"`, `"1.5m"`, `"1h"`), surrounding whitespace ignored.
 *
 * @throws RuntimeConfigError code `INVALID_DURATION` for negative, fractional or malformed values.
 * @example parseDuration("2s") // 2000
 */
export function parseDuration(value: Duration, field = "duration"): number {
  const ms = durationMs(typeof value === "string" ? value.trim() : value);
  if (ms === undefined) {
    throw new RuntimeConfigError(
      `${field}: invalid duration ${JSON.stringify(value)} (use e.g. 500, "500ms", "2s", "1m", "1h")`,
      { code: "INVALID_DURATION", field },
    );
  }
  return ms;
}
