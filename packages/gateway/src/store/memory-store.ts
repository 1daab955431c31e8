import { acceptsStatus, isTerminal, mergeData, type Task, type TaskStatus } from "../task.js";
import {
  FLY_EVENTS_KEPT,
  type ListOptions,
  type NewTask,
  PENDING_DATA,
  type ReportOutcome,
  resumedDeadline,
  type TaskEvent,
  type TaskStore,
} from "./task-store.js";

interface Entry {
  task: Task;
  deadlineMs: number | undefined;
  readonly statusEvents: TaskEvent[];
  readonly flyEvents: TaskEvent[];
}

/** The embedded store: one process, nothing to install; everything is lost on exit. */
export function createMemoryTaskStore(clock: () => Date = () => new Date()): TaskStore {
  const tasks = new Map<string, Entry>();
  const byKey = new Map<string, string>();
  const listeners = new Set<(event: TaskEvent) => void>();
  let nextEventId = 1;

  const publish = (event: TaskEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  };
  const event = (taskId: string, kind: TaskEvent["kind"], data: unknown, actor?: string): TaskEvent => ({
    eventId: nextEventId++,
    taskId,
    kind,
    data,
    ...(actor === undefined ? {} : { actor }),
    at: clock().toISOString(),
  });

  return {
    async create({ id, deadlineAt, idempotencyKey }: NewTask) {
      const existing = idempotencyKey === undefined ? undefined : byKey.get(idempotencyKey);
      const known = existing === undefined ? undefined : tasks.get(existing);
      if (known !== undefined) return { task: known.task, created: false };
      const at = clock().toISOString();
      const task: Task = { id, status: "pending", created_at: at, updated_at: at, data: PENDING_DATA };
      const first = event(id, "status", PENDING_DATA);
      tasks.set(id, {
        task,
        deadlineMs: deadlineAt === undefined ? undefined : Date.parse(deadlineAt),
        statusEvents: [first],
        flyEvents: [],
      });
      if (idempotencyKey !== undefined) byKey.set(idempotencyKey, id);
      publish(first);
      return { task, created: true };
    },

    async get(id) {
      return tasks.get(id)?.task;
    },

    async list({ status, limit, offset }: ListOptions) {
      const all = [...tasks.values()]
        .map((entry) => entry.task)
        .filter((task) => status === undefined || task.status === status)
        .reverse();
      return { messages: all.slice(offset, offset + limit), total: all.length };
    },

    async reportStatus(id, status: TaskStatus, data, options = {}): Promise<ReportOutcome> {
      const entry = tasks.get(id);
      if (entry === undefined) return { kind: "unknown" };
      if (!acceptsStatus(entry.task.status, status, options.force))
        return { kind: "ignored", task: entry.task };
      const merged = mergeData(entry.task.data, status, data);
      const stored = event(id, "status", merged, options.actor);
      entry.task = { ...entry.task, status, updated_at: stored.at, data: merged };
      entry.statusEvents.push(stored);
      publish(stored);
      return { kind: "applied", event: stored };
    },

    async resume(id, data, options = {}) {
      const entry = tasks.get(id);
      if (entry === undefined) return { kind: "unknown" };
      if (entry.task.status !== "paused") return { kind: "ignored", task: entry.task };
      const now = clock();
      entry.deadlineMs = resumedDeadline(
        entry.deadlineMs,
        Date.parse(entry.task.updated_at),
        now.getTime(),
        options.timeoutSeconds,
      );
      const merged = mergeData(entry.task.data, "running", data);
      const stored = event(id, "status", merged);
      entry.task = { ...entry.task, status: "running", updated_at: stored.at, data: merged };
      entry.statusEvents.push(stored);
      publish(stored);
      const deadlineAt =
        entry.deadlineMs === undefined ? undefined : new Date(entry.deadlineMs).toISOString();
      return { kind: "applied" as const, event: stored, deadlineAt };
    },

    async reportFly(id, data, actor): Promise<ReportOutcome> {
      const entry = tasks.get(id);
      if (entry === undefined) return { kind: "unknown" };
      if (isTerminal(entry.task.status)) return { kind: "ignored", task: entry.task };
      const stored = event(id, "fly", data, actor);
      entry.flyEvents.push(stored);
      if (entry.flyEvents.length > FLY_EVENTS_KEPT) entry.flyEvents.shift();
      publish(stored);
      return { kind: "applied", event: stored };
    },

    async events(id, afterEventId) {
      const entry = tasks.get(id);
      if (entry === undefined) return [];
      return [...entry.statusEvents, ...entry.flyEvents]
        .filter((e) => afterEventId === undefined || e.eventId > afterEventId)
        .sort((a, b) => a.eventId - b.eventId);
    },

    async history(id) {
      return [...(tasks.get(id)?.statusEvents ?? [])];
    },

    async overdue(now) {
      const due: string[] = [];
      for (const entry of tasks.values()) {
        const { status } = entry.task;
        if (
          (status === "pending" || status === "running") &&
          entry.deadlineMs !== undefined &&
          entry.deadlineMs <= now.getTime()
        ) {
          due.push(entry.task.id);
        }
      }
      return due;
    },

    async prune(before) {
      let removed = 0;
      for (const [id, entry] of tasks) {
        if (Date.parse(entry.task.updated_at) < before.getTime()) {
          tasks.delete(id);
          removed++;
        }
      }
      for (const [key, id] of byKey) if (!tasks.has(id)) byKey.delete(key);
      return removed;
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async ready() {
      return true;
    },

    async close() {
      listeners.clear();
    },
  };
}
