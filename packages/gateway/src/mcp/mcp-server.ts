import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ElicitResultSchema,
  ErrorCode,
  ListToolsRequestSchema,
  type LoggingLevel,
  McpError,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { followTask } from "../follow-task.js";
import type { FrontDoorDeps } from "../front-door.js";
import { checkToolArguments, type RegisteredTool, toolRoute } from "../registry.js";
import type { TaskData } from "../task.js";
import { elicitationSchema } from "./elicitation.js";

const LEVELS: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/** The `_meta` key carrying the mesh task id on every result. */
export const TASK_ID_META = "asya/task_id";

const text = (value: string) => ({ type: "text" as const, text: value });

/** A tool's final answer from the task's terminal (or paused) status (GATEWAY.md section 4). */
export function toolResult(id: string, data: TaskData): CallToolResult | undefined {
  const _meta = { [TASK_ID_META]: id };
  switch (data.status) {
    case "succeeded": {
      const result = data.result ?? null;
      const structuredContent =
        result !== null && typeof result === "object" && !Array.isArray(result)
          ? (result as Record<string, unknown>)
          : { result };
      return { content: [text(JSON.stringify(result))], structuredContent, _meta };
    }
    case "failed":
    case "canceled": {
      const error = data.error ?? data.message ?? data.status;
      const message = typeof error === "string" ? error : JSON.stringify(error);
      return { content: [text(`task ${id} ${data.status}: ${message}`)], isError: true, _meta };
    }
    case "paused":
      return {
        content: [text(JSON.stringify({ status: "paused", task_id: id, ...(data.pause as object) }))],
        _meta,
      };
    default:
      return undefined;
  }
}

function progressMessage(data: TaskData): string {
  return typeof data.actor === "string" ? `${data.actor}: ${data.status}` : data.status;
}

/**
 * One MCP server (one per session): `tools/list` from the registry, schemas passed through whole;
 * `tools/call` validates the arguments, creates the task and follows it, sending
 * `notifications/progress` (strictly increasing, when the client gave a `progressToken`) and
 * `notifications/message` for each FLY, until the task ends or pauses; the client's
 * `notifications/cancelled` cancels the mesh task.
 */
export function createMcpServer(deps: FrontDoorDeps, activity: { busy: number }): Server {
  const server = new Server(
    { name: deps.name, version: deps.version },
    {
      capabilities: { tools: { listChanged: true }, logging: {} },
      instructions:
        "Each tool starts an Asya actor pipeline; long pipelines report progress, so clients may reset their timeout on progress.",
    },
  );
  let minLevel = 0;
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    minLevel = Math.max(0, LEVELS.indexOf(request.params.level));
    return {};
  });
  const tools = (): readonly RegisteredTool[] => deps.options.registry?.().tools ?? [];

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools().map((tool) => ({
      name: tool.name,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: (tool.inputSchema ?? { type: "object" }) as { type: "object" },
    })),
  }));

  /** Asks the human through `elicitation/create`; true when the answer resumed the task. */
  const askToResume = async (
    id: string,
    data: TaskData,
    extra: { sendRequest: typeof server.request },
  ): Promise<boolean> => {
    if (server.getClientCapabilities()?.elicitation === undefined) return false;
    const pause = deps.resumer.pauseOf(data);
    const schema = pause === undefined ? undefined : elicitationSchema(pause);
    if (pause === undefined || schema === undefined) return false;
    const answer = await extra.sendRequest(
      { method: "elicitation/create", params: { message: pause.prompt, requestedSchema: schema } },
      ElicitResultSchema,
    );
    if (answer.action !== "accept") return false;
    const resumed = await deps.resumer.resume(id, answer.content ?? {});
    if (!resumed.ok)
      deps.options.logger.warn("an elicited answer did not resume the task", {
        task_id: id,
        err: resumed.message,
      });
    return resumed.ok;
  };

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = tools().find((entry) => entry.name === request.params.name);
    if (tool === undefined)
      throw new McpError(ErrorCode.InvalidParams, `unknown tool ${JSON.stringify(request.params.name)}`);
    const args = request.params.arguments ?? {};
    const problem = checkToolArguments(tool, args);
    if (problem !== undefined) return { content: [text(`invalid arguments: ${problem}`)], isError: true };
    const created = await deps.tasks.create({
      route: toolRoute(tool),
      payload: args,
      ...(tool.timeout === undefined ? {} : { timeoutSeconds: tool.timeout }),
    });
    if (!created.ok) return { content: [text(created.message)], isError: true };
    const { id } = created;
    const token = request.params._meta?.progressToken;
    const cancel = () => {
      deps.store
        .reportStatus(id, "canceled", { message: "canceled by the MCP client" })
        .catch((error: Error) =>
          deps.options.logger.warn("canceling a task failed", { task_id: id, err: error.message }),
        );
    };
    extra.signal.addEventListener("abort", cancel, { once: true });
    activity.busy++;
    let lastProgress = 0;
    try {
      for await (const update of followTask(deps.store, deps.hub, id, { signal: extra.signal })) {
        if (update.kind === "fly") {
          if (tool.progress && LEVELS.indexOf("info") >= minLevel) {
            await extra.sendNotification({
              method: "notifications/message",
              params: { level: "info", logger: tool.name, data: update.data },
            });
          }
          continue;
        }
        const progress = Number(update.data.progress);
        if (tool.progress && token !== undefined && Number.isFinite(progress) && progress > lastProgress) {
          lastProgress = progress;
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, progress, total: 100, message: progressMessage(update.data) },
          });
        }
        const result = toolResult(id, update.data);
        if (result === undefined) continue;
        // Beyond Asya: a client that can elicit answers the pause itself, and the call goes on.
        if (update.data.status === "paused" && (await askToResume(id, update.data, extra))) continue;
        return result;
      }
      // Only an aborted request gets here; the SDK sends no response for it.
      throw new McpError(ErrorCode.RequestTimeout, `task ${id}: the request was canceled`);
    } finally {
      activity.busy--;
      extra.signal.removeEventListener("abort", cancel);
    }
  });
  return server;
}
