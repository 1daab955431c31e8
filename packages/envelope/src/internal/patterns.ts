/**
 * The regular expressions behind the zod schemas, shared with the hand-written fast checks so that
 * both test a string against the very same pattern.
 */

/** A DNS-1123 label: lower-case alphanumerics and `-`, starting and ending alphanumeric, 1-63 chars. */
export const DNS_1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** `route.curr` / `status.actor`: a DNS-1123 label, or `""` once the route is exhausted. */
export const ACTOR_OR_EMPTY = /^(?:|[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)$/;

/**
 * RFC 3339 date-time with a zone (`Z` or `+hh:mm`), any fraction digits; lower-case `t`/`z` and the
 * space separator RFC 3339 allows are accepted, so Go (`RFC3339Nano`) and Python (`isoformat()`) stamps
 * both parse.
 */
export const RFC_3339 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt ](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

const DASH = 0x2d;

/** Whether `code` is a UTF-16 unit `[a-z0-9]` matches. */
function isLowerAlphanumeric(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39);
}

/**
 * {@link DNS_1123_LABEL}`.test(text)` spelled out (1-63 units of `[-a-z0-9]`, no `-` at either end),
 * at about half the cost per name; the per-message checks test four or more names per envelope.
 */
export function isDns1123Label(text: string): boolean {
  const length = text.length;
  if (length === 0 || length > 63) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (!isLowerAlphanumeric(code) && (code !== DASH || i === 0 || i === length - 1)) return false;
  }
  return true;
}
