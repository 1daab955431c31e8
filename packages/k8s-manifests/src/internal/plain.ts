/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Deep copy without `undefined` object entries, so renderers can write `key: maybeValue`. */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => prune(item)) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) out[key] = prune(child);
    }
    return out as T;
  }
  return value;
}

/** Recursively sorts object keys (arrays keep their order): the canonical form of rendered output. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => sortKeys(item)) as T;
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}

/** `JSON.stringify` with sorted keys: equal values always give equal strings. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
