import type { Task, TaskData, TaskStatus } from "../task.js";

/** One stored event of a task; `eventId` increases across all tasks (the SSE `id:`). */
export interface TaskEvent {
  readonly eventId: number;
  readonly taskId: string;
  readonly kind: "status" | "fly";
  /** `status`: the task's data after the update; `fly`: what the actor streamed. */
  readonly data: unknown;
  /** The actor that reported it, when known. */
  readonly actor?: string | undefined;
  readonly at: string;
}

/** How a report went. */
export type ReportOutcome =
  | { readonly kind: "applied"; readonly event: TaskEvent }
  /** Stale (lower rank) or after a terminal status: not stored, not published. */
  | { readonly kind: "ignored"; readonly task: Task }
  | { readonly kind: "unknown" };

/** A resume that was applied, with the task's new deadline. */
export interface ResumeApplied {
  readonly kind: "applied";
  readonly event: TaskEvent;
  readonly deadlineAt: string | undefined;
}

/**
 * The deadline of a task resumed at `nowMs` that was paused at `pausedAtMs` with `deadlineMs`:
 * the budget left at pause time from now (`timeoutSeconds` instead, when given).
 */
export function resumedDeadline(
  deadlineMs: number | undefined,
  pausedAtMs: number,
  nowMs: number,
  timeoutSeconds: number | undefined,
): number | undefined {
  if (timeoutSeconds !== undefined) return nowMs + timeoutSeconds * 1000;
  return deadlineMs === undefined ? undefined : nowMs + Math.max(0, deadlineMs - pausedAtMs);
}

/** A new task. */
export interface NewTask {
  readonly id: string;
  readonly deadlineAt?: string | undefined;
  /** `Idempotency-Key` of the create request: a second create with it returns the first task. */
  readonly idempotencyKey?: string | undefined;
}

/** Filters of {@link TaskStore.list}. */
export interface ListOptions {
  readonly status?: TaskStatus | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** FLY events kept per task for late joiners and reconnects. */
export const FLY_EVENTS_KEPT = 256;

/**
 * Where tasks and their events live. Every method is safe to call from several gateway replicas on
 * one store (PostgreSQL): ranks are enforced inside the store, events get increasing ids there, and
 * `subscribe` delivers every event written by any replica, in id order, none skipped.
 */
export interface TaskStore {
  /** Creates a pending task; with an idempotency key already used, returns that task and `created: false`. */
  create(task: NewTask): Promise<{ readonly task: Task; readonly created: boolean }>;
  get(id: string): Promise<Task | undefined>;
  list(options: ListOptions): Promise<{ readonly messages: Task[]; readonly total: number }>;
  /** Applies a status update if its rank allows (`force`: the gateway's own `paused -> running`). */
  reportStatus(
    id: string,
    status: TaskStatus,
    data: unknown,
    options?: { readonly actor?: string | undefined; readonly force?: boolean },
  ): Promise<ReportOutcome>;
  /**
   * The gateway's resume (GATEWAY.md section 5), atomic: only a `paused` task moves to `running`
   * (else `ignored`, which the API answers 409), and its deadline moves by the time it spent paused
   * (the budget left at pause time restarts now; `timeoutSeconds` replaces it when given).
   * `deadlineAt` is the new deadline, when the task has one.
   */
  resume(
    id: string,
    data: unknown,
    options?: { readonly timeoutSeconds?: number | undefined },
  ): Promise<(ReportOutcome & { readonly kind: "ignored" | "unknown" }) | ResumeApplied>;
  /** Stores a FLY event (ignored once the task is terminal); keeps the last {@link FLY_EVENTS_KEPT}. */
  reportFly(id: string, data: unknown, actor?: string): Promise<ReportOutcome>;
  /** The task's events after `afterEventId` (all kept ones when undefined), oldest first. */
  events(id: string, afterEventId?: number): Promise<TaskEvent[]>;
  /** The task's accepted status events, oldest first. */
  history(id: string): Promise<TaskEvent[]>;
  /** Pending/running tasks whose `deadline_at` passed. */
  overdue(now: Date): Promise<string[]>;
  /** Deletes tasks (and their events) last updated before `before`; returns how many. */
  prune(before: Date): Promise<number>;
  /** Calls `listener` with every new event of any task, in id order. Returns the unsubscribe. */
  subscribe(listener: (event: TaskEvent) => void): () => void;
  /** Whether the store answers (for `/readyz`). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The data a new task starts with. */
export const PENDING_DATA: TaskData = Object.freeze({ status: "pending" as const, progress: 0 });
