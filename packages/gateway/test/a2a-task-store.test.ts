import { type Task, TaskState } from "@a2a-js/sdk";
import { ServerCallContext } from "@a2a-js/sdk/server";
import { describe, expect, it } from "vitest";
import { ExpiringA2aTaskStore } from "../src/a2a/a2a-task-store.js";

const context = new ServerCallContext();
const task = (id: string, state: TaskState, contextId = "c"): Task => ({
  id,
  contextId,
  status: { state, message: undefined, timestamp: new Date().toISOString() },
  artifacts: [],
  history: [],
  metadata: {},
});

describe("A2A task objects: bounded in time", () => {
  it("keeps tasks readable, drops finished ones after finishedTtlMs and others after ttlMs", async () => {
    const store = new ExpiringA2aTaskStore({ ttlMs: 10_000, finishedTtlMs: 1_000 });
    await store.save(task("done", TaskState.TASK_STATE_COMPLETED), context);
    await store.save(task("live", TaskState.TASK_STATE_WORKING), context);
    expect((await store.load("done", context))?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    store.sweep(Date.now() + 2_000);
    expect(await store.load("done", context)).toBeUndefined();
    expect(await store.load("live", context)).toBeDefined();
    store.sweep(Date.now() + 20_000);
    expect(store.size).toBe(0);
  });

  it("lists newest first with filters and page tokens; a saved task is a copy", async () => {
    const store = new ExpiringA2aTaskStore({ ttlMs: 10_000, finishedTtlMs: 1_000 });
    for (const id of ["a", "b", "c"])
      await store.save(task(id, TaskState.TASK_STATE_WORKING, id === "b" ? "other" : "c"), context);
    const first = await store.list(
      {
        tenant: "",
        contextId: "",
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageSize: 2,
        pageToken: "",
        statusTimestampAfter: undefined,
      },
      context,
    );
    expect(first.tasks.map((t) => t.id)).toEqual(["c", "b"]);
    expect(first).toMatchObject({ nextPageToken: "2", totalSize: 3 });
    const byContext = await store.list(
      {
        tenant: "",
        contextId: "other",
        status: TaskState.TASK_STATE_UNSPECIFIED,
        pageToken: "",
        statusTimestampAfter: undefined,
      },
      context,
    );
    expect(byContext.tasks.map((t) => t.id)).toEqual(["b"]);
    const loaded = await store.load("a", context);
    (loaded as Task).contextId = "changed";
    expect((await store.load("a", context))?.contextId).toBe("c");
  });
});
