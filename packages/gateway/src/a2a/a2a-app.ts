import { type AgentCard, type CancelTaskRequest, Extensions } from "@a2a-js/sdk";
import { isLegacyJsonRpcMethod, isV1JsonRpcMethod } from "@a2a-js/sdk/compat/v0_3";
import { LegacyJsonRpcTransportHandler } from "@a2a-js/sdk/compat/v0_3/server";
import { ContentTypeNotSupportedError, RequestMalformedError } from "@a2a-js/sdk/errors";
import {
  DefaultRequestHandler,
  defaultServerCallContextBuilder,
  JsonRpcTransportHandler,
  type ServerCallContext,
  UnauthenticatedUser,
  validateVersion,
} from "@a2a-js/sdk/server";
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { FrontDoorDeps } from "../front-door.js";
import { requireBearer } from "../http/bearer.js";
import { type JsonRpcErrorBody, jsonRpcError } from "../http/json-rpc-error.js";
import { agentSkills, type RegisteredAgent, type Registry } from "../registry.js";
import { ExpiringA2aTaskStore } from "./a2a-task-store.js";
import { agentCard, agentCardJson, type CardContext, legacyAgentCardJson } from "./agent-card.js";
import { MeshAgentExecutor } from "./mesh-executor.js";

/** The JSON-RPC endpoint's path (the card's `url`). */
export const A2A_PATH = "/a2a";
const CARD_PATHS = ["/.well-known/agent-card.json", "/.well-known/agent.json"] as const;
const EMPTY: Registry = { tools: [], agents: [] };
/** How long a finished A2A task object stays readable through `tasks/get` (the mesh task stays longer). */
const A2A_FINISHED_TTL_MS = 3_600_000;

/** The agent a message names by `metadata.skill`, the only agent, or why none can be chosen. */
export function agentForSkill(registry: Registry, skill: unknown): RegisteredAgent | string {
  if (skill === undefined || skill === null || skill === "") {
    if (registry.agents.length === 1) return registry.agents[0] as RegisteredAgent;
    const ids = registry.agents.flatMap((agent) => agentSkills(agent).map((s) => s.id));
    return registry.agents.length === 0
      ? "no A2A agents are registered"
      : `name a skill in message.metadata.skill: one of ${ids.join(", ")}`;
  }
  const agent = registry.agents.find((entry) => agentSkills(entry).some((s) => s.id === skill));
  return agent ?? `unknown skill ${JSON.stringify(skill)}`;
}

/** The SDK's request handler with the card read from the live registry and cancel reaching the mesh. */
class MeshRequestHandler extends DefaultRequestHandler {
  readonly #card: () => AgentCard;
  readonly #tasks: ExpiringA2aTaskStore;
  readonly #executor: MeshAgentExecutor;

  constructor(card: () => AgentCard, tasks: ExpiringA2aTaskStore, executor: MeshAgentExecutor) {
    super(card(), tasks, executor);
    this.#card = card;
    this.#tasks = tasks;
    this.#executor = executor;
  }

  override async getAgentCard(): Promise<AgentCard> {
    return this.#card();
  }

  // Also when no execution is live here (a paused task, or one this replica no longer follows):
  // the SDK then marks the A2A task canceled itself, and the mesh task must follow.
  override async cancelTask(params: CancelTaskRequest, context: ServerCallContext) {
    const task = await this.#tasks.load(params.id, context);
    if (task === undefined) return super.cancelTask(params, context);
    const meshId = this.#executor.meshIdOf(params.id, task);
    if (meshId !== undefined) await this.#executor.cancelMesh(meshId);
    this.#executor.willCancel(task);
    try {
      return await super.cancelTask(params, context);
    } finally {
      this.#executor.forget(params.id);
    }
  }
}

/** JSON-RPC errors of the A2A endpoint: HTTP 200 unless said otherwise (as the SDK's express handler). */
const rpcError = (c: Context, id: unknown, error: JsonRpcErrorBody, status: 200 | 413 | 500 = 200) =>
  jsonRpcError(c, status, error, id);

/**
 * A2A over JSON-RPC at `/a2a` (protocol 1.0, and the 0.3 method names `message/send`,
 * `message/stream`, `tasks/get`, `tasks/cancel`, `tasks/resubscribe` answered in 0.3 shapes), and
 * the agent card at `/.well-known/agent-card.json` and `/.well-known/agent.json` (public; a 1.0
 * card for `A2A-Version: 1.0`, else the 0.3 card).
 */
export function createA2aApp(deps: FrontDoorDeps, publicUrl: () => string): Hono {
  const registry = () => deps.options.registry?.() ?? EMPTY;
  const cardContext = (c?: Context): CardContext => ({
    name: deps.name,
    description: "Asya actor pipelines as A2A skills; choose one with message.metadata.skill",
    version: deps.version,
    // Without a configured public URL, the card names the origin it was fetched from.
    endpoint: `${deps.options.publicUrl ?? (c === undefined ? publicUrl() : new URL(c.req.url).origin)}${A2A_PATH}`,
    bearer: deps.options.apiKey !== undefined,
  });
  const executor = new MeshAgentExecutor(deps, (skill) => agentForSkill(registry(), skill));
  const handler = new MeshRequestHandler(
    () => agentCard(registry(), cardContext()),
    new ExpiringA2aTaskStore({
      ttlMs: deps.options.retentionMs,
      finishedTtlMs: Math.min(deps.options.retentionMs, A2A_FINISHED_TTL_MS),
    }),
    executor,
  );
  const current = new JsonRpcTransportHandler(handler);
  const legacy = new LegacyJsonRpcTransportHandler(handler);

  const app = new Hono();
  for (const path of CARD_PATHS) {
    app.get(path, (c) => {
      c.header("Vary", "A2A-Version");
      c.header("Cache-Control", "no-cache");
      const version = c.req.header("a2a-version");
      return c.json(
        version !== undefined && !version.startsWith("0.")
          ? agentCardJson(registry(), cardContext(c))
          : legacyAgentCardJson(registry(), cardContext(c)),
      );
    });
  }

  app.use(A2A_PATH, requireBearer(deps.options.apiKey, "asya-gateway"));
  app.post(A2A_PATH, async (c) => {
    const type = c.req.header("content-type");
    const mediaType = type?.split(";", 1)[0]?.trim().toLowerCase();
    if (mediaType !== undefined && mediaType !== "application/json" && mediaType !== "application/a2a+json") {
      return rpcError(
        c,
        null,
        JsonRpcTransportHandler.mapToJSONRPCError(
          new ContentTypeNotSupportedError(
            `unsupported Content-Type ${JSON.stringify(type)}; send application/json`,
          ),
        ),
      );
    }
    const max = deps.options.maxBodyBytes;
    if (Number(c.req.header("content-length") ?? 0) > max)
      return rpcError(c, null, { code: -32600, message: `request body over ${max} bytes` }, 413);
    const text = await c.req.text();
    if (Buffer.byteLength(text) > max)
      return rpcError(c, null, { code: -32600, message: `request body over ${max} bytes` }, 413);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      return rpcError(c, null, { code: -32700, message: `invalid JSON: ${(error as Error).message}` });
    }
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return rpcError(c, null, { code: -32600, message: "a JSON-RPC request must be a JSON object" });
    const request = body as {
      id?: unknown;
      method?: unknown;
      params?: { message?: { taskId?: unknown; metadata?: { skill?: unknown } } };
    };
    const method = typeof request.method === "string" ? request.method : "";
    const isLegacy = isLegacyJsonRpcMethod(method);
    if (!isLegacy && !isV1JsonRpcMethod(method))
      return rpcError(c, request.id, {
        code: -32601,
        message: `method not found: ${JSON.stringify(request.method)}`,
      });
    const mapError = isLegacy
      ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError
      : JsonRpcTransportHandler.mapToJSONRPCError;
    // A message on an existing task (a resume) goes to that task's agent, whatever its skill.
    const followUp =
      typeof request.params?.message?.taskId === "string" && request.params.message.taskId !== "";
    if (!followUp && /^(message\/(send|stream)|Send(Streaming)?Message)$/.test(method)) {
      const agent = agentForSkill(registry(), request.params?.message?.metadata?.skill);
      if (typeof agent === "string")
        return rpcError(c, request.id, { ...mapError(new RequestMalformedError(agent)), code: -32602 });
    }
    try {
      const version = c.req.header("a2a-version");
      const context = defaultServerCallContextBuilder({
        extensions: Extensions.parseServiceParameter(
          c.req.header(isLegacy ? "x-a2a-extensions" : "a2a-extensions"),
        ),
        user: new UnauthenticatedUser(),
        headers: Object.fromEntries(c.req.raw.headers),
        requestedVersion: isLegacy ? "0.3" : (version ?? "1.0"),
      });
      if (!isLegacy && version !== undefined)
        validateVersion(version, await handler.getAgentCard(), "JSONRPC");
      const result = await (isLegacy ? legacy : current).handle(request as Record<string, unknown>, context);
      if (!(Symbol.asyncIterator in (result as object))) return c.json(result);
      const iterator = (result as AsyncGenerator<unknown, void, undefined>)[Symbol.asyncIterator]();
      let first: IteratorResult<unknown, void>;
      try {
        first = await iterator.next();
      } catch (error) {
        return rpcError(c, request.id, mapError(error));
      }
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => void iterator.return?.(undefined));
        try {
          if (!first.done) await stream.writeSSE({ data: JSON.stringify(first.value) });
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            await stream.writeSSE({ data: JSON.stringify(next.value) });
          }
        } catch (error) {
          await stream.writeSSE({
            event: "error",
            data: JSON.stringify({ jsonrpc: "2.0", id: request.id ?? null, error: mapError(error) }),
          });
        }
      });
    } catch (error) {
      deps.options.logger.warn("A2A request failed", { method, err: (error as Error).message });
      const mapped = mapError(error);
      return rpcError(c, request.id, mapped, mapped.code === -32603 ? 500 : 200);
    }
  });
  return app;
}
