import { describe, expect, it } from "vitest";
import { FLY_EVENTS_KEPT, type TaskEvent, type TaskStore } from "../src/store/task-store.js";

/** A store to test and how to make a second handle on the same data (another gateway replica). */
export interface StoreHarness {
  create(): Promise<TaskStore>;
  /** A second store on the same data, or undefined when the store is per-process. */
  replica?(): Promise<TaskStore>;
}

let counter = 0;
const uniqueId = () => `t-${process.pid}-${Date.now()}-${++counter}`;

/** Waits until `check` holds (or fails after `timeoutMs`). */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The contract every task store keeps (GATEWAY.md sections 1-3). */
export function describeTaskStore(name: string, harness: StoreHarness): void {
  describe(`TaskStore contract: ${name}`, () => {
    const withStore = async (body: (store: TaskStore) => Promise<void>) => {
      const store = await harness.create();
      try {
        await body(store);
      } finally {
        await store.close();
      }
    };

    it("creates pending tasks; an idempotency key returns the first task", () =>
      withStore(async (store) => {
        const id = uniqueId();
        const key = `key-${id}`;
        const first = await store.create({ id, idempotencyKey: key });
        expect(first.created).toBe(true);
        expect(first.task).toMatchObject({ id, status: "pending", data: { status: "pending" } });
        const again = await store.create({ id: uniqueId(), idempotencyKey: key });
        expect(again).toMatchObject({ created: false, task: { id } });
        expect(await store.get(id)).toMatchObject({ id, status: "pending" });
        expect(await store.get("nope")).toBeUndefined();
      }));

    it("moves forward by rank only, the first terminal status wins, progress never decreases", () =>
      withStore(async (store) => {
        const id = uniqueId();
        await store.create({ id });
        expect(
          (await store.reportStatus(id, "running", { actor: "a", progress: 50 }, { actor: "a" })).kind,
        ).toBe("applied");
        expect((await store.reportStatus(id, "running", { actor: "b", progress: 30 })).kind).toBe("applied");
        expect((await store.get(id))?.data).toMatchObject({ status: "running", actor: "b", progress: 50 });
        expect((await store.reportStatus(id, "pending", {})).kind).toBe("ignored");
        expect((await store.reportStatus(id, "paused", { pause: { prompt: "ok?" } })).kind).toBe("applied");
        expect((await store.reportStatus(id, "running", {})).kind).toBe("ignored");
        expect((await store.reportStatus(id, "running", {}, { force: true })).kind).toBe("applied");
        expect((await store.reportStatus(id, "succeeded", { result: 1 })).kind).toBe("applied");
        expect((await store.reportStatus(id, "failed", { error: "late" })).kind).toBe("ignored");
        expect((await store.reportFly(id, "late")).kind).toBe("ignored");
        expect(await store.get(id)).toMatchObject({
          status: "succeeded",
          data: { status: "succeeded", result: 1, progress: 100 },
        });
        expect((await store.history(id)).map((e) => (e.data as { status: string }).status)).toEqual([
          "pending",
          "running",
          "running",
          "paused",
          "running",
          "succeeded",
        ]);
        expect((await store.reportStatus("nope", "running", {})).kind).toBe("unknown");
      }));

    it(`keeps the last ${FLY_EVENTS_KEPT} FLY events; events() after an id, in id order`, () =>
      withStore(async (store) => {
        const id = uniqueId();
        await store.create({ id });
        for (let i = 0; i < FLY_EVENTS_KEPT + 10; i++) await store.reportFly(id, { i }, "llm");
        const all = await store.events(id);
        const flys = all.filter((e) => e.kind === "fly");
        expect(flys).toHaveLength(FLY_EVENTS_KEPT);
        expect(flys[0]?.data).toEqual({ i: 10 });
        expect(flys.at(-1)).toMatchObject({ data: { i: FLY_EVENTS_KEPT + 9 }, actor: "llm" });
        const ids = all.map((e) => e.eventId);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        const cut = flys[100]?.eventId ?? 0;
        expect((await store.events(id, cut)).map((e) => e.eventId)).toEqual(ids.filter((n) => n > cut));
      }));

    it("lists newest first with a status filter and paging; finds overdue tasks; prunes old ones", () =>
      withStore(async (store) => {
        const ids = [uniqueId(), uniqueId(), uniqueId()];
        const past = new Date(Date.now() - 1_000).toISOString();
        await store.create({ id: ids[0] as string, deadlineAt: past });
        await store.create({ id: ids[1] as string });
        await store.create({ id: ids[2] as string, deadlineAt: past });
        await store.reportStatus(ids[2] as string, "succeeded", {});
        const page = await store.list({ limit: 1000, offset: 0 });
        const mine = page.messages.map((t) => t.id).filter((id) => ids.includes(id));
        expect(mine).toEqual([ids[2], ids[1], ids[0]]);
        const succeeded = await store.list({ status: "succeeded", limit: 1000, offset: 0 });
        expect(succeeded.messages.every((t) => t.status === "succeeded")).toBe(true);
        expect(succeeded.messages.map((t) => t.id)).toContain(ids[2]);
        expect((await store.list({ limit: 1, offset: 0 })).messages).toHaveLength(1);
        const overdue = await store.overdue(new Date());
        expect(overdue).toContain(ids[0]);
        expect(overdue).not.toContain(ids[1]);
        expect(overdue).not.toContain(ids[2]);
        expect(await store.prune(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(3);
        expect(await store.get(ids[0] as string)).toBeUndefined();
        expect(await store.ready()).toBe(true);
      }));

    it("subscribe delivers every new event in id order (from another replica too)", async () => {
      const writer = await harness.create();
      const reader = harness.replica === undefined ? writer : await harness.replica();
      const seen: TaskEvent[] = [];
      const unsubscribe = reader.subscribe((event) => seen.push(event));
      try {
        const id = uniqueId();
        await writer.create({ id });
        await writer.reportStatus(id, "running", {});
        for (let i = 0; i < 20; i++) await writer.reportFly(id, i);
        await writer.reportStatus(id, "succeeded", { result: "done" });
        await until(() => seen.filter((e) => e.taskId === id).length === 23);
        const mine = seen.filter((e) => e.taskId === id);
        expect(mine.map((e) => e.kind)).toEqual(["status", "status", ...Array(20).fill("fly"), "status"]);
        const ids = mine.map((e) => e.eventId);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        expect(new Set(ids).size).toBe(ids.length);
      } finally {
        unsubscribe();
        await writer.close();
        if (reader !== writer) await reader.close();
      }
    });
  });
}
