/** Durations accepted in an AsyncActor: milliseconds as a number, or `"500ms"`, `"2s"`, `"1.5m"`, `"1h"`. */
export const DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration already validated against {@link DURATION_PATTERN}. */
export function durationToMs(value: number | string): number {
  if (typeof value === "number") return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(value);
  if (match === null) throw new RangeError(`not a duration: ${value}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? "ms"] ?? 1);
}
