import { describe, expect, it } from "vitest";
import { createEventHub } from "../src/event-hub.js";
import { followTask, type TaskUpdate } from "../src/follow-task.js";
import { createMemoryTaskStore } from "../src/index.js";

// followTask: what the MCP and A2A front doors follow a task with.

async function collect(iterable: AsyncIterable<TaskUpdate>): Promise<TaskUpdate[]> {
  const seen: TaskUpdate[] = [];
  for await (const update of iterable) seen.push(update);
  return seen;
}

describe("followTask", () => {
  it("yields the stored status, the FLY events so far, then live events, and ends after a terminal status", async () => {
    const store = createMemoryTaskStore();
    const hub = createEventHub(store);
    await store.create({ id: "t1" });
    await store.reportFly("t1", "early");
    const follower = followTask(store, hub, "t1");
    // The stored status comes first; what happens after it arrives live.
    const first = await follower.next();
    expect(first.value).toEqual({ kind: "status", data: { status: "pending", progress: 0 } });
    const followed = collect({ [Symbol.asyncIterator]: () => follower });
    await store.reportStatus("t1", "running", { actor: "a", progress: 50 });
    await store.reportFly("t1", "late");
    await store.reportStatus("t1", "succeeded", { result: 1 });
    await store.reportFly("t1", "after the end");
    const seen = await followed;
    expect(seen.map((u) => (u.kind === "fly" ? `fly:${u.data}` : `status:${u.data.status}`))).toEqual([
      "fly:early",
      "status:running",
      "fly:late",
      "status:succeeded",
    ]);
    hub.close();
  });

  it("ends when the hub closes (a gateway that stops leaves no follower behind) and when its signal aborts", async () => {
    const store = createMemoryTaskStore();
    const hub = createEventHub(store);
    await store.create({ id: "t2" });
    const followed = collect(followTask(store, hub, "t2"));
    const aborted = new AbortController();
    const second = collect(followTask(store, hub, "t2", { signal: aborted.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    aborted.abort();
    expect((await second).map((u) => u.kind)).toEqual(["status"]);
    hub.close();
    expect((await followed).map((u) => u.kind)).toEqual(["status"]);
  });
});
