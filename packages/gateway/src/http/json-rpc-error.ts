import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** A JSON-RPC error, as MCP and A2A answer it. */
export interface JsonRpcErrorBody {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** `{"jsonrpc": "2.0", "id", "error"}` with HTTP `status` (`id` null for transport-level errors). */
export function jsonRpcError(
  c: Context,
  status: ContentfulStatusCode,
  error: JsonRpcErrorBody,
  id: unknown = null,
): Response {
  return c.json({ jsonrpc: "2.0", id: id ?? null, error }, status);
}
