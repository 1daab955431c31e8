import { type ListTasksRequest, type ListTasksResponse, type Task, TaskState } from "@a2a-js/sdk";
import type { ServerCallContext, TaskStore } from "@a2a-js/sdk/server";

const FINISHED = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

/**
 * The A2A task objects of this replica (the mesh tasks behind them are in the gateway's store),
 * bounded in time, unlike the SDK's in-memory store: a finished task is dropped `finishedTtlMs`
 * after its last change, any other one after `ttlMs`. Newest first in `list`.
 */
export class ExpiringA2aTaskStore implements TaskStore {
  readonly #tasks = new Map<string, { task: Task; tenant: string; savedAtMs: number }>();
  readonly #ttlMs: number;
  readonly #finishedTtlMs: number;
  #lastSweepMs = Date.now();

  constructor(options: { ttlMs: number; finishedTtlMs: number }) {
    this.#ttlMs = options.ttlMs;
    this.#finishedTtlMs = options.finishedTtlMs;
  }

  /** Tasks held now. */
  get size(): number {
    return this.#tasks.size;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const now = Date.now();
    // Re-inserted so the map stays in last-change order (the sweep stops at the first live one).
    this.#tasks.delete(task.id);
    this.#tasks.set(task.id, { task: structuredClone(task), tenant: context.tenant ?? "", savedAtMs: now });
    if (now - this.#lastSweepMs > 1_000) this.sweep(now);
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const entry = this.#tasks.get(taskId);
    return entry === undefined || entry.tenant !== (context.tenant ?? "")
      ? undefined
      : structuredClone(entry.task);
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const tenant = context.tenant ?? "";
    const after =
      params.statusTimestampAfter === undefined ? undefined : Date.parse(params.statusTimestampAfter);
    const matching = [...this.#tasks.values()]
      .reverse()
      .filter(
        (entry) =>
          entry.tenant === tenant &&
          (params.contextId === "" || entry.task.contextId === params.contextId) &&
          (params.status === TaskState.TASK_STATE_UNSPECIFIED ||
            entry.task.status?.state === params.status) &&
          (after === undefined || Date.parse(entry.task.status?.timestamp ?? "") > after),
      );
    const pageSize = Math.min(Math.max(params.pageSize ?? 50, 1), 100);
    const offset = /^\d+$/.test(params.pageToken) ? Number(params.pageToken) : 0;
    const page = matching.slice(offset, offset + pageSize).map((entry) => {
      const task = structuredClone(entry.task);
      if (params.historyLength !== undefined)
        task.history = task.history.slice(-params.historyLength || task.history.length);
      if (params.includeArtifacts !== true) task.artifacts = [];
      return task;
    });
    return {
      tasks: page,
      nextPageToken: offset + pageSize < matching.length ? String(offset + pageSize) : "",
      pageSize,
      totalSize: matching.length,
    };
  }

  /** Drops expired tasks. */
  sweep(now = Date.now()): void {
    this.#lastSweepMs = now;
    for (const [id, entry] of this.#tasks) {
      const state = entry.task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
      const ttl = FINISHED.has(state) ? this.#finishedTtlMs : this.#ttlMs;
      if (now - entry.savedAtMs > ttl) this.#tasks.delete(id);
      else if (now - entry.savedAtMs <= this.#finishedTtlMs) break;
    }
  }
}
