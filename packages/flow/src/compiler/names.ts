import { createHash } from "node:crypto";

const MAX_NAME = 63;

/** `enrichChunk` -> `enrich-chunk`: a DNS-1123 label (lower case, digits, `-`; at most 63). */
export function kebabName(name: string): string {
  const kebab = name
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return (kebab === "" ? "x" : kebab).slice(0, MAX_NAME).replace(/-$/, "");
}

/** Six hex digits of the SHA-256 of `content`: the slug that keeps a router's name stable. */
export function slugOf(content: string): string {
  return createHash("sha256").update(content).digest("hex").slice(0, 6);
}

/** `<prefix>-<slug>`, cutting `prefix` so the whole stays a DNS-1123 label. */
export function withSlug(prefix: string, slug: string): string {
  const room = MAX_NAME - slug.length - 1;
  return `${prefix.slice(0, room).replace(/-$/, "")}-${slug}`;
}

/** `triage-if-3fa2c1` -> `triageIf3fa2c1`: the router's export in routers.js. */
export function camelName(name: string): string {
  const camel = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return /^[0-9]/.test(camel) ? `_${camel}` : camel;
}
