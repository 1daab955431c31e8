/**
 * Tasks as the gateway sees them (GATEWAY.md section 1): one envelope id from creation to a terminal
 * status. Status only moves forward by rank; the first terminal status wins.
 */

/** A task's status. */
export type TaskStatus = "pending" | "running" | "paused" | "succeeded" | "failed" | "canceled";

/** Every status, in rank order. */
export const TASK_STATUSES: readonly TaskStatus[] = [
  "pending",
  "running",
  "paused",
  "succeeded",
  "failed",
  "canceled",
];

const RANK: Readonly<Record<TaskStatus, number>> = {
  pending: 0,
  running: 1,
  paused: 2,
  succeeded: 3,
  failed: 3,
  canceled: 3,
};

/** Whether `status` is final. */
export function isTerminal(status: TaskStatus): boolean {
  return RANK[status] === 3;
}

/** Whether `value` names a status. */
export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === "string" && Object.hasOwn(RANK, value);
}

/**
 * The status an actor reported, as a task status: Asya's `received`, `processing` and `completed`
 * all mean `running`. Undefined for anything else.
 */
export function reportedStatus(value: unknown): TaskStatus | undefined {
  if (value === "received" || value === "processing" || value === "completed") return "running";
  return isTaskStatus(value) ? value : undefined;
}

/**
 * Whether an update from `current` to `next` is accepted: never after a terminal status, never to a
 * lower rank (equal ranks refresh the data). `paused -> running` is made by the gateway on resume,
 * with `force`.
 */
export function acceptsStatus(current: TaskStatus, next: TaskStatus, force = false): boolean {
  if (isTerminal(current)) return false;
  if (force) return true;
  return RANK[next] >= RANK[current];
}

/** The JSON object stored with a status: `{status, actor?, progress?, message?, error?, result?, pause?}`. */
export type TaskData = Readonly<Record<string, unknown>> & { readonly status: TaskStatus };

/** A task as `GET /mesh/{id}` returns it. */
export interface Task {
  readonly id: string;
  readonly status: TaskStatus;
  readonly created_at: string;
  readonly updated_at: string;
  readonly data: TaskData;
}

/**
 * `data` of an accepted update: the reported data with `status` set, and `progress` never below the
 * stored one.
 */
export function mergeData(previous: TaskData, status: TaskStatus, reported: unknown): TaskData {
  const data: Record<string, unknown> =
    reported !== null && typeof reported === "object" && !Array.isArray(reported) ? { ...reported } : {};
  data.status = status;
  const before = typeof previous.progress === "number" ? previous.progress : undefined;
  if (before !== undefined && (typeof data.progress !== "number" || data.progress < before))
    data.progress = before;
  if (isTerminal(status)) data.progress = status === "succeeded" ? 100 : (data.progress ?? before);
  if (data.progress === undefined) delete data.progress;
  return data as TaskData;
}
