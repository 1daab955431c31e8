import {
  checkResumeInput,
  createEnvelope,
  encodeEnvelope,
  HEADER_GATEWAY_URL,
  HEADER_RESUME_TASK,
  HEADER_RESUME_TIMEOUT,
  type PauseMetadata,
  pauseMetadataSchema,
  queueName,
  RESUME_ACTOR,
} from "@asya/envelope";
import type { ResolvedGatewayOptions } from "./gateway-options.js";
import type { TaskStore } from "./store/task-store.js";
import type { TaskData } from "./task.js";

/** A resume accepted (the task is `running` again and `x-resume` has its envelope), or why not. */
export type ResumeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 400 | 404 | 409 | 503; readonly message: string };

/** Resumes paused tasks; shared by the mesh API, A2A and MCP. */
export interface TaskResumer {
  resume(id: string, input: unknown): Promise<ResumeResult>;
  /** The pause metadata of a paused task's data (its `pause`), else undefined. */
  pauseOf(data: TaskData): PauseMetadata | undefined;
}

/** The stored pause metadata of a paused task, read liberally (a bad one means no fields). */
function pauseOf(data: TaskData): PauseMetadata | undefined {
  if (data.status !== "paused") return undefined;
  const parsed = pauseMetadataSchema.safeParse(data.pause ?? {});
  return parsed.success ? parsed.data : { prompt: "Input required", fields: [] };
}

/**
 * GATEWAY.md section 5: validates the human's input against the task's pause fields, moves the task
 * `paused -> running` atomically (a second resume is a 409), and publishes
 * `{id, route: {curr: x-resume}, headers: {x-asya-resume-task, x-asya-resume-timeout?}, payload: input}`
 * to `x-resume`. A publish that fails puts the task back to `paused` (the caller may retry).
 */
export function createTaskResumer(
  options: ResolvedGatewayOptions,
  store: TaskStore,
  internalUrl: () => string,
): TaskResumer {
  return {
    pauseOf,
    async resume(id, input) {
      const task = await store.get(id);
      if (task === undefined) return { ok: false, status: 404, message: "unknown task" };
      const metadata = task.status === "paused" ? pauseOf(task.data) : undefined;
      if (metadata === undefined)
        return { ok: false, status: 409, message: `task ${id} is ${task.status}, not paused` };
      const problem = checkResumeInput(metadata, input);
      if (problem !== undefined) return { ok: false, status: 400, message: problem };
      const outcome = await store.resume(id, { actor: RESUME_ACTOR, message: "resumed" });
      if (outcome.kind === "unknown") return { ok: false, status: 404, message: "unknown task" };
      if (outcome.kind === "ignored")
        return { ok: false, status: 409, message: `task ${id} is ${outcome.task.status}, not paused` };
      const { deadlineAt } = outcome;
      const leftSeconds =
        deadlineAt === undefined ? undefined : Math.max(0.001, (Date.parse(deadlineAt) - Date.now()) / 1000);
      try {
        const envelope = createEnvelope({
          id,
          route: { prev: [], curr: RESUME_ACTOR, next: [] },
          headers: {
            [HEADER_RESUME_TASK]: id,
            [HEADER_GATEWAY_URL]: internalUrl(),
            ...(leftSeconds === undefined ? {} : { [HEADER_RESUME_TIMEOUT]: leftSeconds }),
          },
          status: { phase: "pending", ...(deadlineAt === undefined ? {} : { deadline_at: deadlineAt }) },
          payload: input ?? null,
        });
        await options.transport.publish(queueName(RESUME_ACTOR, options.namespace), {
          body: encodeEnvelope(envelope),
        });
      } catch (error) {
        options.logger.error("publishing a resume failed; the task stays paused", {
          task_id: id,
          err: (error as Error).message,
        });
        await store.reportStatus(id, "paused", task.data, { force: true });
        return { ok: false, status: 503, message: `could not publish the resume to ${RESUME_ACTOR}` };
      }
      return { ok: true };
    },
  };
}
