import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { createA2aApp } from "./a2a/a2a-app.js";
import { createTaskCreator } from "./create-task.js";
import { createEventHub } from "./event-hub.js";
import { GatewayError } from "./gateway-error.js";
import { type GatewayOptions, resolveGatewayOptions } from "./gateway-options.js";
import { createExternalApi } from "./http/external-api.js";
import { createInternalApi } from "./http/internal-api.js";
import { createMcpApp } from "./mcp/mcp-app.js";
import { createTaskResumer } from "./resume-task.js";
import { createMemoryTaskStore } from "./store/memory-store.js";
import { TASK_STATUSES } from "./task.js";

// src/ and dist/ both sit one level below the package root.
const GATEWAY_VERSION = (createRequire(import.meta.url)("../package.json") as { version: string }).version;

/** A running gateway. */
export interface Gateway {
  /** The external API's base URL (`http://host:port`, without the prefix). */
  readonly url: string;
  /** The internal listener's base URL as stamped into envelopes. */
  readonly internalUrl: string;
  /** Stops both listeners (open SSE streams end), the sweeps and the store. */
  close(): Promise<void>;
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  host: string,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, () => resolve(server));
    server.once("error", (error) =>
      reject(
        new GatewayError(`cannot listen on ${host}:${port}: ${error.message}`, {
          code: "LISTEN_FAILED",
          cause: error,
        }),
      ),
    );
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
}

const baseUrl = (server: ServerType, host: string) =>
  `http://${host.includes(":") ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;

/**
 * Starts the gateway (GATEWAY.md sections 1-3): the mesh API on `port`, actor reports and pre-flight
 * on `internalPort`, tasks in `store` (memory by default). Every `sweepIntervalMs` it fails
 * `pending`/`running` tasks past their `deadline_at` ("task timed out") and, once an hour, deletes
 * tasks older than `retentionMs`.
 *
 * @throws GatewayError `INVALID_CONFIG` naming the option, `LISTEN_FAILED` when a port is taken.
 * @example
 * const gateway = await createGateway({ transport, port: 0, internalPort: 0 });
 * await fetch(`${gateway.url}/api/v1/mesh?actor=clean`, { method: "POST", body: "{}" });
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const resolved = resolveGatewayOptions(options);
  const store = resolved.store ?? createMemoryTaskStore();
  const hub = createEventHub(store);
  let internalUrl = resolved.internalUrl ?? "";
  const metrics = async () => {
    const lines = [
      "# HELP asya_gateway_tasks Tasks in the store by status",
      "# TYPE asya_gateway_tasks gauge",
    ];
    for (const status of TASK_STATUSES) {
      const { total } = await store.list({ status, limit: 1, offset: 0 });
      lines.push(`asya_gateway_tasks{status="${status}"} ${total}`);
    }
    lines.push("# HELP asya_gateway_sse_clients Open SSE streams", "# TYPE asya_gateway_sse_clients gauge");
    lines.push(`asya_gateway_sse_clients ${hub.clients}`);
    lines.push(
      "# HELP asya_gateway_mcp_sessions Open MCP sessions",
      "# TYPE asya_gateway_mcp_sessions gauge",
    );
    lines.push(`asya_gateway_mcp_sessions ${mcp.sessions}`);
    lines.push(
      "# HELP asya_gateway_event_lag_seconds Time from an event's write to its delivery to this replica's streams",
      "# TYPE asya_gateway_event_lag_seconds summary",
      `asya_gateway_event_lag_seconds_sum ${hub.lag.sumSeconds}`,
      `asya_gateway_event_lag_seconds_count ${hub.lag.count}`,
      "# HELP asya_gateway_event_lag_max_seconds Largest event lag seen",
      "# TYPE asya_gateway_event_lag_max_seconds gauge",
      `asya_gateway_event_lag_max_seconds ${hub.lag.maxSeconds}`,
    );
    return `${lines.join("\n")}\n`;
  };
  const tasks = createTaskCreator(resolved, store, () => internalUrl);
  const resumer = createTaskResumer(resolved, store, () => internalUrl);
  let externalUrl = "";
  const doors = {
    options: resolved,
    store,
    hub,
    tasks,
    resumer,
    name: "asya-gateway",
    version: GATEWAY_VERSION,
  };
  const mcp = createMcpApp(doors, {
    idleMs: resolved.mcpSessionIdleMs,
    maxSessions: resolved.maxMcpSessions,
    allowedOrigins: resolved.allowedOrigins,
  });
  const a2a = createA2aApp(doors, () => externalUrl);
  const external = createExternalApi({
    mount: [mcp.app, a2a],
    options: resolved,
    store,
    hub,
    tasks,
    resumer,
    metrics,
  });
  const internal = createInternalApi(resolved, store);
  const servers: ServerType[] = [];
  try {
    servers.push(await listen(external.fetch, resolved.port, resolved.host));
    servers.push(await listen(internal.fetch, resolved.internalPort, resolved.host));
  } catch (error) {
    await Promise.all(servers.map(close));
    await mcp.close();
    hub.close();
    if (resolved.store === undefined) await store.close();
    throw error;
  }
  const [externalServer, internalServer] = servers as [ServerType, ServerType];
  if (internalUrl === "") internalUrl = baseUrl(internalServer, resolved.host);
  externalUrl = baseUrl(externalServer, resolved.host);

  let lastPrune = 0;
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const now = new Date();
      for (const id of await store.overdue(now)) {
        await store.reportStatus(id, "failed", { error: "task timed out" });
      }
      if (now.getTime() - lastPrune >= 3_600_000) {
        lastPrune = now.getTime();
        const removed = await store.prune(new Date(now.getTime() - resolved.retentionMs));
        if (removed > 0) resolved.logger.info("pruned old tasks", { removed });
      }
    } catch (error) {
      resolved.logger.warn("task sweep failed", { err: (error as Error).message });
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), resolved.sweepIntervalMs);
  timer.unref();
  resolved.logger.info("gateway listening", {
    url: baseUrl(externalServer, resolved.host),
    internal_url: internalUrl,
    prefix: resolved.prefix,
  });
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl(externalServer, resolved.host),
    internalUrl,
    close() {
      closed ??= (async () => {
        clearInterval(timer);
        await mcp.close();
        hub.close();
        await Promise.all(servers.map(close));
        if (resolved.store === undefined) await store.close();
      })();
      return closed;
    },
  };
}
