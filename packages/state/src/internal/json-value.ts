import { StateStoreError } from "../state-error.js";
import type { JsonValue } from "../state-store.js";

/**
 * `JSON.stringify(value)`, or `INVALID_ARGUMENT` for what JSON cannot hold (`undefined`, a function,
 * a BigInt, a cycle) instead of storing something no `get` can read back.
 */
export function encodeValue(value: JsonValue): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new StateStoreError(`the value is not JSON: ${(error as Error).message}`, {
      code: "INVALID_ARGUMENT",
      field: "value",
      cause: error,
    });
  }
  if (json === undefined) {
    throw new StateStoreError(`the value is not JSON: ${typeof value}`, {
      code: "INVALID_ARGUMENT",
      field: "value",
    });
  }
  return json;
}

/** Ascending UTF-16 code-unit order (what `StateStore.listByPrefix` promises), at most `limit`. */
export function sortedKeys(keys: Iterable<string>, limit: number | undefined): string[] {
  return [...new Set(keys)].sort().slice(0, limit ?? DEFAULT_LIST_LIMIT);
}

/** `listByPrefix`'s default limit. */
export const DEFAULT_LIST_LIMIT = 10_000;

/**
 * Whether two keys may order differently by UTF-8 bytes (what PostgreSQL's "C" collation and S3
 * listings use) than by UTF-16 code units: only when one holds a surrogate or U+E000..U+FFFF.
 */
export function mayOrderDifferently(key: string): boolean {
  return /[\uD800-\uFFFF]/.test(key);
}

/** Parses a stored value; text that is not JSON (written by something else) is `BACKEND_ERROR`. */
export function decodeValue(json: string, where: string): JsonValue {
  try {
    return JSON.parse(json) as JsonValue;
  } catch (error) {
    throw new StateStoreError(`${where} does not hold JSON (written by something else?)`, {
      code: "BACKEND_ERROR",
      cause: error,
    });
  }
}
