import { type Context, Hono } from "hono";
import type { ResolvedGatewayOptions } from "../gateway-options.js";
import type { ReportOutcome, TaskStore } from "../store/task-store.js";
import { reportedStatus } from "../task.js";
import { getTask, jsonBodyLimit, withJsonErrors } from "./app-parts.js";
import { requireBearer } from "./bearer.js";
import { isJsonObject, readJsonBody } from "./json-body.js";
import { jsonError } from "./json-error.js";

/** Reads a JSON object body, or a message saying what is wrong. */
async function objectBody(request: Request): Promise<Record<string, unknown> | string> {
  const body = await readJsonBody(request);
  if (!body.ok) return body.message;
  return isJsonObject(body.value) ? body.value : "body must be a JSON object";
}

const actorOf = (data: unknown): string | undefined => {
  const actor = (data as { actor?: unknown } | null)?.actor;
  return typeof actor === "string" ? actor : undefined;
};

/**
 * Actor reports and pre-flight (GATEWAY.md section 3) on the internal listener:
 * `POST {prefix}/mesh/{id}/events` and Asya's legacy `/mesh/{id}/progress|final|fly` (with or
 * without the prefix), and `GET {prefix}/mesh/{id}` for pre-flight. 204 when taken or stale, 404
 * for an unknown task, 400 for a malformed report.
 */
export function createInternalApi(options: ResolvedGatewayOptions, store: TaskStore): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  const api = new Hono();
  api.use("*", requireBearer(options.internalToken, "asya-gateway-internal"));
  api.use("*", jsonBodyLimit(options.maxBodyBytes));

  const answer = (c: Context, outcome: ReportOutcome) =>
    outcome.kind === "unknown" ? jsonError(c, 404, "NOT_FOUND", "unknown task") : c.body(null, 204);

  api.get("/mesh/:id", getTask(store));

  api.post("/mesh/:id/events", async (c) => {
    const body = await objectBody(c.req.raw);
    if (typeof body === "string") return jsonError(c, 400, "BAD_REQUEST", body);
    const id = c.req.param("id");
    if (body.type === "fly")
      return answer(c, await store.reportFly(id, body.data ?? null, actorOf(body.data)));
    if (body.type === "status") {
      const status = reportedStatus(body.status);
      if (status === undefined)
        return jsonError(c, 400, "BAD_REQUEST", `unknown status ${JSON.stringify(body.status)}`);
      return answer(c, await store.reportStatus(id, status, body.data ?? {}, { actor: actorOf(body.data) }));
    }
    return jsonError(c, 400, "BAD_REQUEST", 'type must be "status" or "fly"');
  });

  // Asya's legacy sidecar paths: the body is the data itself.
  const legacy = new Hono();
  legacy.post("/mesh/:id/progress", async (c) => {
    const body = await objectBody(c.req.raw);
    if (typeof body === "string") return jsonError(c, 400, "BAD_REQUEST", body);
    const status = reportedStatus(body.status) ?? "running";
    return answer(c, await store.reportStatus(c.req.param("id"), status, body, { actor: actorOf(body) }));
  });
  legacy.post("/mesh/:id/final", async (c) => {
    const body = await objectBody(c.req.raw);
    if (typeof body === "string") return jsonError(c, 400, "BAD_REQUEST", body);
    const status = reportedStatus(body.status);
    if (status !== "succeeded" && status !== "failed" && status !== "canceled") {
      return jsonError(c, 400, "BAD_REQUEST", "a final status is succeeded, failed or canceled");
    }
    return answer(c, await store.reportStatus(c.req.param("id"), status, body, { actor: actorOf(body) }));
  });
  legacy.post("/mesh/:id/fly", async (c) => {
    const body = await objectBody(c.req.raw);
    if (typeof body === "string") return jsonError(c, 400, "BAD_REQUEST", body);
    return answer(c, await store.reportFly(c.req.param("id"), body, actorOf(body)));
  });
  api.route("/", legacy);

  app.route(options.prefix === "" ? "/" : options.prefix, api);
  if (options.prefix !== "") {
    const bare = new Hono();
    bare.use("*", requireBearer(options.internalToken, "asya-gateway-internal"));
    bare.route("/", legacy);
    app.route("/", bare);
  }
  return withJsonErrors(app, options.logger, "report");
}
