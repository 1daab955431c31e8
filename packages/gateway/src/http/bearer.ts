import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { jsonError } from "./json-error.js";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Requires `Authorization: Bearer <token>` when `token` is set, compared in constant time (both
 * sides hashed first, so their lengths do not leak either).
 */
export function requireBearer(token: string | undefined, realm: string): MiddlewareHandler {
  if (token === undefined) return async (_c, next) => next();
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (match === null || !timingSafeEqual(digest(match[1] ?? ""), expected)) {
      c.header("WWW-Authenticate", `Bearer realm="${realm}"`);
      return jsonError(c, 401, "UNAUTHORIZED", "missing or wrong bearer token");
    }
    return next();
  };
}
