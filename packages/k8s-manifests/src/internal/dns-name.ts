import { createHash } from "node:crypto";

/** A DNS-1123 label (also what Kubernetes requires of most object names that end up in labels). */
export const DNS_1123_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** Longest DNS-1123 label. */
export const MAX_LABEL_LENGTH = 63;

/**
 * Joins `parts` with `-` into a DNS-1123 label. Names over 63 characters are cut and given an
 * 8-hex-digit suffix hashed from the full name, so two long names never collide after truncation
 * and the same input always yields the same name.
 */
export function dnsLabel(...parts: string[]): string {
  const full = parts.filter((part) => part.length > 0).join("-");
  if (full.length <= MAX_LABEL_LENGTH) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const head = full.slice(0, MAX_LABEL_LENGTH - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** Whether `name` is a DNS-1123 label. */
export function isDnsLabel(name: string): boolean {
  return DNS_1123_LABEL.test(name);
}
