import { isValidActorName } from "@asya/envelope";
import { Hono } from "hono";
import type { TaskCreator } from "../create-task.js";
import type { EventHub } from "../event-hub.js";
import type { ResolvedGatewayOptions } from "../gateway-options.js";
import { entryActors, toolRoute } from "../registry.js";
import type { TaskResumer } from "../resume-task.js";
import type { TaskStore } from "../store/task-store.js";
import { isTaskStatus, type TaskStatus } from "../task.js";
import { getTask, jsonBodyLimit, withJsonErrors } from "./app-parts.js";
import { requireBearer } from "./bearer.js";
import { isJsonObject, readJsonBody } from "./json-body.js";
import { jsonError } from "./json-error.js";
import { streamAll, streamTask } from "./sse.js";

/** What the external API needs. */
export interface ExternalApiDeps {
  readonly options: ResolvedGatewayOptions;
  readonly store: TaskStore;
  readonly hub: EventHub;
  readonly tasks: TaskCreator;
  readonly resumer: TaskResumer;
  readonly metrics: () => Promise<string>;
  /** Apps served on the same listener at the root (MCP, A2A). */
  readonly mount?: readonly Hono[];
}

/** Keys a create body may not set: successors come from actors or registered tools (GATEWAY.md 2). */
const FORBIDDEN_CREATE_KEYS = ["route", "next", "id", "prev", "curr"] as const;

/** The mesh API (GATEWAY.md section 2) on the external listener. */
export function createExternalApi(deps: ExternalApiDeps): Hono {
  const { options, store, hub } = deps;
  const p = options.prefix;
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) =>
    (await store.ready().catch(() => false))
      ? c.json({ status: "ready" })
      : jsonError(c, 503, "UNAVAILABLE", "store not reachable"),
  );
  app.get("/metrics", async (c) =>
    c.text(await deps.metrics(), 200, { "content-type": "text/plain; version=0.0.4" }),
  );

  const api = new Hono();
  api.use("*", requireBearer(options.apiKey, "asya-gateway"));
  api.use("*", jsonBodyLimit(options.maxBodyBytes));

  api.post("/mesh", async (c) => {
    const toolName = c.req.query("tool");
    const registry = options.registry?.();
    let route: readonly string[];
    let toolTimeout: number | undefined;
    if (toolName !== undefined) {
      const tool = registry?.tools.find((entry) => entry.name === toolName);
      if (tool === undefined)
        return jsonError(c, 404, "NOT_FOUND", `unknown tool ${JSON.stringify(toolName)}`);
      route = toolRoute(tool);
      toolTimeout = tool.timeout;
    } else {
      const name = c.req.query("actor");
      if (name === undefined || !isValidActorName(name)) {
        return jsonError(
          c,
          400,
          "BAD_REQUEST",
          "query parameter actor (or tool) is required; actor must be an actor name (DNS-1123 label)",
        );
      }
      const known =
        options.actors === undefined && registry === undefined
          ? undefined
          : new Set([...(options.actors ?? []), ...(registry === undefined ? [] : entryActors(registry))]);
      if (known !== undefined && !known.has(name))
        return jsonError(c, 404, "NOT_FOUND", `unknown actor ${JSON.stringify(name)}`);
      route = [name];
    }
    const namespace = c.req.query("namespace") ?? options.namespace;
    if (namespace !== undefined && !isValidActorName(namespace)) {
      return jsonError(c, 400, "BAD_REQUEST", "namespace must be a DNS-1123 label");
    }
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return jsonError(c, 400, "BAD_REQUEST", body.message);
    const input = body.value;
    if (!isJsonObject(input)) {
      return jsonError(c, 400, "BAD_REQUEST", "body must be a JSON object {payload?, headers?, timeout?}");
    }
    const fields = input;
    for (const key of FORBIDDEN_CREATE_KEYS) {
      if (Object.hasOwn(fields, key)) {
        return jsonError(
          c,
          400,
          "BAD_REQUEST",
          `${key} cannot be set: successors come from the actors or a registered tool`,
        );
      }
    }
    const headers = fields.headers ?? {};
    if (headers === null || typeof headers !== "object" || Array.isArray(headers)) {
      return jsonError(c, 400, "BAD_REQUEST", "headers must be a JSON object");
    }
    const timeout = fields.timeout ?? toolTimeout;
    if (timeout !== undefined && (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)) {
      return jsonError(c, 400, "BAD_REQUEST", "timeout must be a positive number of seconds");
    }
    const result = await deps.tasks.create({
      route,
      payload: fields.payload,
      headers: headers as Record<string, unknown>,
      ...(timeout === undefined ? {} : { timeoutSeconds: timeout as number }),
      ...(namespace === undefined ? {} : { namespace }),
      idempotencyKey: c.req.header("idempotency-key"),
      traceparent: c.req.header("traceparent"),
    });
    if (!result.ok)
      return jsonError(
        c,
        result.status,
        result.status === 400 ? "BAD_REQUEST" : "UNAVAILABLE",
        result.message,
      );
    return c.json({ id: result.id }, result.created ? 201 : 200);
  });

  api.get("/mesh", async (c) => {
    const status = c.req.query("status");
    if (status !== undefined && !isTaskStatus(status))
      return jsonError(c, 400, "BAD_REQUEST", `unknown status ${JSON.stringify(status)}`);
    const limit = Number(c.req.query("limit") ?? 50);
    const offset = Number(c.req.query("offset") ?? 0);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0) {
      return jsonError(c, 400, "BAD_REQUEST", "limit must be 1-1000 and offset >= 0");
    }
    return c.json(await store.list({ status: status as TaskStatus | undefined, limit, offset }));
  });

  api.get("/mesh/events", (c) => {
    const status = c.req.query("status");
    if (status !== undefined && !isTaskStatus(status))
      return jsonError(c, 400, "BAD_REQUEST", `unknown status ${JSON.stringify(status)}`);
    return streamAll(c, hub, status as TaskStatus | undefined, options.keepaliveMs);
  });

  api.get("/mesh/:id", getTask(store));

  api.get("/mesh/:id/events", async (c) => {
    const id = c.req.param("id");
    if ((await store.get(id)) === undefined) return jsonError(c, 404, "NOT_FOUND", "unknown task");
    return streamTask(c, store, hub, id, options.keepaliveMs);
  });

  api.get("/mesh/:id/history", async (c) => {
    const id = c.req.param("id");
    if ((await store.get(id)) === undefined) return jsonError(c, 404, "NOT_FOUND", "unknown task");
    const events = await store.history(id);
    return c.json({
      id,
      events: events.map((e) => ({
        status: (e.data as { status: TaskStatus }).status,
        actor: e.actor,
        at: e.at,
        data: e.data,
      })),
    });
  });

  api.post("/mesh/:id/resume", async (c) => {
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return jsonError(c, 400, "BAD_REQUEST", body.message);
    const result = await deps.resumer.resume(c.req.param("id"), body.value);
    if (result.ok) return c.json({ id: c.req.param("id"), status: "running" }, 202);
    const code = ({ 400: "BAD_REQUEST", 404: "NOT_FOUND", 409: "CONFLICT", 503: "UNAVAILABLE" } as const)[
      result.status
    ];
    return jsonError(c, result.status, code, result.message);
  });

  api.delete("/mesh/:id", async (c) => {
    const outcome = await store.reportStatus(c.req.param("id"), "canceled", {
      message: "canceled by request",
    });
    return outcome.kind === "unknown" ? jsonError(c, 404, "NOT_FOUND", "unknown task") : c.body(null, 204);
  });

  for (const extra of deps.mount ?? []) app.route("/", extra);
  app.route(p === "" ? "/" : p, api);
  return withJsonErrors(app, options.logger, "request");
}
