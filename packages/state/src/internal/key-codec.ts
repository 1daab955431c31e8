import { checkKey, StateStoreError } from "../state-error.js";

/**
 * A file- and object-name-safe encoding of keys: `a-z`, `0-9`, `_` and `-` stay as they are, every
 * other UTF-8 byte becomes `%XX` (upper-case hex). It is prefix-preserving (a key starts with `p`
 * exactly when its encoding starts with the encoding of `p`), so prefix listings work on encoded
 * names; it never yields `.` or `/` (no `..` segments, room for suffixes like `.json`); and two
 * keys never encode to names that differ only in case (safe on case-insensitive file systems).
 */
export function encodeKey(key: string): string {
  let out = "";
  for (const byte of Buffer.from(key, "utf8")) {
    out += isPlain(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The key of an encoded name, or `undefined` when `name` is not one {@link encodeKey} makes. */
export function decodeKey(name: string): string | undefined {
  let key: string;
  try {
    key = decodeURIComponent(name);
  } catch {
    return undefined; // a stray `%` or bytes that are not UTF-8: not a name of ours
  }
  // Only the canonical encoding is ours (`%61` for `a`, or a temp/lock file, is not).
  return encodeKey(key) === name ? key : undefined;
}

/**
 * Checks what {@link checkKey} checks, plus that the key survives UTF-8: a lone surrogate would
 * become U+FFFD, so two keys would share one entry. Backends that store UTF-8 call this.
 * @throws StateStoreError `INVALID_ARGUMENT`
 */
export function checkUtf8Key(key: string): void {
  checkKey(key);
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(key)) {
    throw new StateStoreError("a key must be well-formed UTF-16 (it has a lone surrogate)", {
      code: "INVALID_ARGUMENT",
      field: "key",
    });
  }
}

function isPlain(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x2d;
}
