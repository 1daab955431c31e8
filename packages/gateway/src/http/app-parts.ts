import type { Handler, Hono, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { GatewayLogger } from "../gateway-options.js";
import type { TaskStore } from "../store/task-store.js";
import { jsonError } from "./json-error.js";

// What the external and the internal listener share.

/** 413 with a JSON error for a body over `maxBytes`. */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => jsonError(c, 413, "PAYLOAD_TOO_LARGE", `request body over ${maxBytes} bytes`),
  });
}

/** `GET .../mesh/:id`: the task, or 404 (the API's read and the runtime's pre-flight). */
export function getTask(store: TaskStore): Handler {
  return async (c) => {
    const task = await store.get(c.req.param("id") ?? "");
    return task === undefined ? jsonError(c, 404, "NOT_FOUND", "unknown task") : c.json(task);
  };
}

/** Unknown routes are a JSON 404, failures a JSON 500 (logged, the message not exposed). */
export function withJsonErrors(app: Hono, logger: GatewayLogger, what: string): Hono {
  app.notFound((c) => jsonError(c, 404, "NOT_FOUND", `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    logger.error(`${what} failed`, { err: error.message, path: c.req.path });
    return jsonError(c, 500, "INTERNAL", "internal error");
  });
  return app;
}
