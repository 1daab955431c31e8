import { randomUUID } from "node:crypto";
import { type Message, Role, type Task, TaskState } from "@a2a-js/sdk";
import {
  AgentEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from "@a2a-js/sdk/server";
import { followTask } from "../follow-task.js";
import type { FrontDoorDeps } from "../front-door.js";
import { type RegisteredAgent, toolRoute } from "../registry.js";
import type { TaskData, TaskStatus } from "../task.js";
import { messagePayload, partOf } from "./message-payload.js";

/** The A2A task's metadata key holding the mesh task id (A2A and mesh ids differ). */
export const MESH_TASK_ID = "asya_task_id";

/** Task status -> A2A state (GATEWAY.md section 4). */
export const A2A_STATE: Readonly<Record<TaskStatus, TaskState>> = {
  pending: TaskState.TASK_STATE_SUBMITTED,
  running: TaskState.TASK_STATE_WORKING,
  paused: TaskState.TASK_STATE_INPUT_REQUIRED,
  succeeded: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  canceled: TaskState.TASK_STATE_CANCELED,
};

/** Artifact ids: FLY events, and the result. */
export const FLY_ARTIFACT = "fly-stream";
export const RESULT_ARTIFACT = "result";

/** Finds the agent a message names through `metadata.skill` (or the only agent). */
export type AgentLookup = (skill: unknown) => RegisteredAgent | string;

function agentMessage(taskId: string, contextId: string, values: readonly unknown[]): Message {
  return {
    role: Role.ROLE_AGENT,
    messageId: randomUUID(),
    taskId,
    contextId,
    parts: values.map(partOf),
    metadata: {},
    extensions: [],
    referenceTaskIds: [],
  };
}

function statusText(data: TaskData): unknown[] {
  switch (data.status) {
    case "failed":
    case "canceled":
      return [String(typeof data.error === "string" ? data.error : (data.message ?? data.status))];
    case "paused":
      return data.pause === undefined
        ? ["paused: waiting for input"]
        : ["paused: waiting for input", data.pause];
    default:
      return [];
  }
}

/**
 * The A2A agent behind the gateway: a message becomes a mesh task on the agent's route, and the
 * task's events become A2A events (status updates, FLY as `fly-stream` artifact updates, the result
 * as the `result` artifact) until it ends or pauses (`input-required`). The A2A task id maps to the
 * mesh id (kept here and in the task's metadata).
 */
export class MeshAgentExecutor implements AgentExecutor {
  readonly #deps: FrontDoorDeps;
  readonly #agentFor: AgentLookup;
  /** A2A task id -> mesh task id, while this replica follows the task. */
  readonly #meshIds = new Map<string, string>();
  readonly #canceling = new Map<string, Task>();

  constructor(deps: FrontDoorDeps, agentFor: AgentLookup) {
    this.#deps = deps;
    this.#agentFor = agentFor;
  }

  /** The mesh task of an A2A task, from the live map or the task's metadata. */
  meshIdOf(taskId: string, task?: Task): string | undefined {
    const fromMetadata = task?.metadata?.[MESH_TASK_ID];
    return this.#meshIds.get(taskId) ?? (typeof fromMetadata === "string" ? fromMetadata : undefined);
  }

  /**
   * The SDK calls this when the task has a live event bus. A task this replica follows ends on the
   * mesh's `canceled` event; one it no longer follows (paused: the bus outlives the execution) gets
   * its `canceled` status here, from the task the request handler passed to {@link willCancel}.
   */
  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    const meshId = this.#meshIds.get(taskId);
    const task = this.#canceling.get(taskId);
    this.#canceling.delete(taskId);
    if (meshId !== undefined) {
      await this.cancelMesh(meshId);
      return;
    }
    if (task !== undefined) {
      this.#status(bus, taskId, task.contextId, TaskState.TASK_STATE_CANCELED, [
        "canceled by the A2A client",
      ]);
    }
  }

  /** Records the task about to be canceled (see {@link cancelTask}). */
  willCancel(task: Task): void {
    this.#canceling.set(task.id, task);
  }

  /** Drops what {@link willCancel} recorded, when the SDK did not call {@link cancelTask}. */
  forget(taskId: string): void {
    this.#canceling.delete(taskId);
  }

  /** Cancels the mesh task (idempotent; a finished task stays as it ended). */
  async cancelMesh(meshId: string): Promise<void> {
    await this.#deps.store.reportStatus(meshId, "canceled", { message: "canceled by the A2A client" });
  }

  async execute(context: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context;
    const message = context.userMessage;
    if (context.task !== undefined) {
      await this.#continue(context, context.task, bus);
      return;
    }
    const agent = this.#agentFor(message.metadata?.skill);
    const now = () => new Date().toISOString();
    const task: Task = {
      id: taskId,
      contextId,
      status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
      artifacts: [],
      history: [message],
      metadata: {},
    };
    if (typeof agent === "string") {
      bus.publish(AgentEvent.task(task));
      this.#status(bus, taskId, contextId, TaskState.TASK_STATE_FAILED, [agent]);
      return;
    }
    const created = await this.#deps.tasks.create({
      route: toolRoute(agent),
      payload: messagePayload(message, taskId, contextId),
      ...(agent.timeout === undefined ? {} : { timeoutSeconds: agent.timeout }),
    });
    if (!created.ok) {
      bus.publish(AgentEvent.task(task));
      this.#status(bus, taskId, contextId, TaskState.TASK_STATE_FAILED, [created.message]);
      return;
    }
    const meshId = created.id;
    this.#meshIds.set(taskId, meshId);
    bus.publish(
      AgentEvent.task({
        ...task,
        metadata: { [MESH_TASK_ID]: meshId, agent: agent.name, streaming: agent.streaming },
      }),
    );
    await this.#follow(bus, taskId, contextId, meshId, agent.streaming, true);
  }

  /**
   * A new message on an existing task: on a paused (`input-required`) one, its parts are the
   * human's input and resume the mesh task, which is then followed again; otherwise it is answered
   * with a message saying why nothing happened.
   */
  async #continue(context: RequestContext, task: Task, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = context;
    const say = (text: string) => bus.publish(AgentEvent.message(agentMessage(taskId, contextId, [text])));
    const meshId = this.meshIdOf(taskId, task);
    if (meshId === undefined) return say(`task ${taskId} has no mesh task`);
    const { a2a: _ids, ...input } = messagePayload(context.userMessage, taskId, contextId);
    const resumed = await this.#deps.resumer.resume(meshId, input);
    if (!resumed.ok) return say(`task ${taskId} was not resumed: ${resumed.message}`);
    this.#meshIds.set(taskId, meshId);
    bus.publish(
      AgentEvent.task({
        ...task,
        status: {
          state: TaskState.TASK_STATE_WORKING,
          message: undefined,
          timestamp: new Date().toISOString(),
        },
        history: [...task.history, context.userMessage],
      }),
    );
    // FLY events from before the pause were sent already.
    await this.#follow(bus, taskId, contextId, meshId, task.metadata?.streaming !== false, false);
  }

  /** Publishes the mesh task's events as A2A events until it ends or pauses. */
  async #follow(
    bus: ExecutionEventBus,
    taskId: string,
    contextId: string,
    meshId: string,
    streaming: boolean,
    replayFly: boolean,
  ): Promise<void> {
    let flyChunks = 0;
    let last = "";
    try {
      for await (const update of followTask(this.#deps.store, this.#deps.hub, meshId, { replayFly })) {
        if (update.kind === "fly") {
          if (!streaming) continue;
          bus.publish(
            AgentEvent.artifactUpdate({
              taskId,
              contextId,
              artifact: {
                artifactId: FLY_ARTIFACT,
                name: FLY_ARTIFACT,
                description: "what the pipeline streams while it runs (FLY)",
                parts: [partOf(update.data)],
                metadata: undefined,
                extensions: [],
              },
              append: flyChunks++ > 0,
              lastChunk: false,
              metadata: undefined,
            }),
          );
          continue;
        }
        const data = update.data;
        if (data.status === "pending") continue;
        if (data.status === "succeeded") {
          bus.publish(
            AgentEvent.artifactUpdate({
              taskId,
              contextId,
              artifact: {
                artifactId: RESULT_ARTIFACT,
                name: RESULT_ARTIFACT,
                description: "the pipeline's result",
                parts: [partOf(data.result ?? null)],
                metadata: undefined,
                extensions: [],
              },
              append: false,
              lastChunk: true,
              metadata: undefined,
            }),
          );
        }
        // One working update per step (actor and progress), not per repeated report.
        const key = `${data.status}/${String(data.actor)}/${String(data.progress)}`;
        if (key === last) continue;
        last = key;
        this.#status(bus, taskId, contextId, A2A_STATE[data.status], statusText(data), {
          ...(data.actor === undefined ? {} : { actor: data.actor }),
          ...(data.progress === undefined ? {} : { progress: data.progress }),
        });
        if (data.status !== "running") return;
      }
    } finally {
      this.#meshIds.delete(taskId);
    }
  }

  #status(
    bus: ExecutionEventBus,
    taskId: string,
    contextId: string,
    state: TaskState,
    text: readonly unknown[],
    metadata: Record<string, unknown> = {},
  ): void {
    bus.publish(
      AgentEvent.statusUpdate({
        taskId,
        contextId,
        status: {
          state,
          message: text.length === 0 ? undefined : agentMessage(taskId, contextId, text),
          timestamp: new Date().toISOString(),
        },
        metadata,
      }),
    );
  }
}
