const SHA256 = /^[0-9a-f]{64}$/;

/** A prefix without leading or trailing slashes (`""` for none). */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, "");
}

/** The object key of `uri` when it is `base` followed by a SHA-256 in hex, else `undefined`. */
export function keyAfter(uri: string, base: string): string | undefined {
  if (!uri.startsWith(base)) return undefined;
  const key = uri.slice(base.length);
  return SHA256.test(key) ? key : undefined;
}
