import type { JsonValue } from "../state-store.js";

/** An entry as the file and S3 stores keep it: the value and when it expires. */
export interface StoredEntry {
  readonly value: JsonValue;
  /** Epoch ms; `Infinity` without a TTL. */
  readonly expiresAtMs: number;
}

/**
 * The JSON document of one entry: `{ key, expires_at, value }`, `expires_at` an ISO time or `null`
 * (the key is there for people and tools reading the directory or bucket). Expiry is this client's
 * clock plus the TTL.
 */
export function entryJson(
  key: string,
  valueJson: string,
  ttlMs: number | undefined,
  expiresAt: string | null = expiresAtIso(ttlMs),
): string {
  return `{"key":${JSON.stringify(key)},"expires_at":${JSON.stringify(expiresAt)},"value":${valueJson}}\n`;
}

/** When an entry written now with `ttlMs` expires, as ISO text, or `null` without a TTL. */
export function expiresAtIso(ttlMs: number | undefined): string | null {
  return ttlMs === undefined ? null : new Date(Date.now() + ttlMs).toISOString();
}

/** Parses {@link entryJson}'s output. @throws SyntaxError or TypeError when `text` is something else. */
export function parseEntry(text: string): StoredEntry & { readonly key: string } {
  const parsed = JSON.parse(text) as { key?: unknown; value?: JsonValue; expires_at?: unknown };
  if (
    typeof parsed !== "object" ||
    parsed === null ||
    typeof parsed.key !== "string" ||
    !("value" in parsed)
  ) {
    throw new TypeError("not a state entry: expected { key, expires_at, value }");
  }
  return { key: parsed.key, value: parsed.value as JsonValue, expiresAtMs: expiresAtMsOf(parsed.expires_at) };
}

/** Epoch ms of an `expires_at` (ISO text, or null/absent for never). */
export function expiresAtMsOf(expiresAt: unknown): number {
  if (typeof expiresAt !== "string" || expiresAt === "") return Number.POSITIVE_INFINITY;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

export function isLive(entry: StoredEntry | undefined): entry is StoredEntry {
  return entry !== undefined && entry.expiresAtMs > Date.now();
}
