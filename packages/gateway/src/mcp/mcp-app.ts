import { randomUUID } from "node:crypto";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { type Context, Hono } from "hono";
import type { FrontDoorDeps } from "../front-door.js";
import { requireBearer } from "../http/bearer.js";
import { jsonRpcError } from "../http/json-rpc-error.js";
import type { Registry } from "../registry.js";
import { createMcpServer } from "./mcp-server.js";

/** The `/mcp` endpoint and the sessions behind it. */
export interface McpApp {
  readonly app: Hono;
  /** Open sessions. */
  readonly sessions: number;
  close(): Promise<void>;
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: Server;
  readonly activity: { busy: number };
  lastSeenMs: number;
}

/**
 * The same-origin check MCP asks of local servers (DNS rebinding): a request with an `Origin`
 * header must come from the gateway's own origin or one in `allowedOrigins`.
 */
function originAllowed(c: Context, allowed: readonly string[]): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
}

/**
 * MCP over Streamable HTTP at `/mcp` (GATEWAY.md section 4), with sessions (so the client's
 * `notifications/cancelled` reaches the call it cancels, and the server can announce a changed
 * tool list). Sessions idle for `idleMs` with no call in flight are closed; a client whose session
 * is gone gets 404 and starts a new one (the spec's rule). Several replicas need sticky routing on
 * the `Mcp-Session-Id` header.
 */
export function createMcpApp(
  deps: FrontDoorDeps,
  limits: {
    readonly idleMs: number;
    readonly maxSessions: number;
    readonly allowedOrigins: readonly string[];
  },
): McpApp {
  const sessions = new Map<string, Session>();
  const app = new Hono();
  app.use("/mcp", requireBearer(deps.options.apiKey, "asya-gateway"));
  app.all("/mcp", async (c) => {
    if (!originAllowed(c, limits.allowedOrigins))
      return jsonRpcError(c, 403, {
        code: -32600,
        message: `origin ${c.req.header("origin")} is not allowed`,
      });
    const sessionId = c.req.header("mcp-session-id");
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session === undefined)
        return jsonRpcError(c, 404, { code: -32001, message: "session not found; initialize again" });
      session.lastSeenMs = Date.now();
      return session.transport.handleRequest(c.req.raw);
    }
    if (c.req.method !== "POST")
      return jsonRpcError(c, 400, {
        code: -32600,
        message: "no Mcp-Session-Id: start a session with an initialize request",
      });
    if (sessions.size >= limits.maxSessions)
      return jsonRpcError(c, 503, {
        code: -32603,
        message: `too many MCP sessions (${limits.maxSessions}); try again later`,
      });
    const activity = { busy: 0 };
    const server = createMcpServer(deps, activity);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      maxRequestBodySize: deps.options.maxBodyBytes,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, activity, lastSeenMs: Date.now() });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    await server.connect(transport);
    const response = await transport.handleRequest(c.req.raw);
    // Anything but a good initialize leaves no session behind.
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await server.close();
    return response;
  });

  let registry: Registry | undefined = deps.options.registry?.();
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (session.activity.busy === 0 && now - session.lastSeenMs > limits.idleMs) {
        sessions.delete(id);
        void session.server.close();
      }
    }
    // A hot-reloaded registry: tell the sessions their tool list changed.
    const current = deps.options.registry?.();
    if (current !== registry) {
      registry = current;
      for (const session of sessions.values())
        void session.server.sendToolListChanged().catch(() => undefined);
    }
  }, 1_000);
  timer.unref();

  return {
    app,
    get sessions() {
      return sessions.size;
    },
    async close() {
      clearInterval(timer);
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.server.close().catch(() => undefined)));
    },
  };
}
