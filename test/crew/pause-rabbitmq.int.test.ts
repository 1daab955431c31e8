import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayProcess } from "../gateway/gateway-process.js";
import { type ActorProcess, REPO_ROOT, stopAll } from "../reliability/harness/actor-process.js";
import { type LaunchedActor, launchActor, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { waitFor } from "../reliability/harness/wait.js";

// From outside: `asya gateway`, `asya run` actors and `asya run --crew x-pause|x-resume` (file
// state store) on a private RabbitMQ node; a human answers over the mesh API; x-pause and x-resume
// are SIGKILLed while tasks pause and resume.

const HANDLERS = join(REPO_ROOT, "test/crew/fixtures/handlers.js");
const TASKS = Number(process.env.ASYA_TEST_PAUSE_TASKS ?? 20);

interface TaskView {
  readonly status: string;
  readonly data: Record<string, unknown>;
}

describe("pause and resume through asya gateway, actors on RabbitMQ", () => {
  const processes: ActorProcess[] = [];
  const namespace = uniqueNamespace("pause");
  let api = "";
  let pauseActor: LaunchedActor | undefined;
  let resumeActor: LaunchedActor | undefined;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${api}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const task = async (id: string) => (await (await fetch(`${api}/mesh/${id}`)).json()) as TaskView;

  beforeAll(async () => {
    const broker = rabbitMqEnv(rabbitMqUrl());
    const gateway = await startGatewayProcess({
      broker,
      namespace,
      registry: "tools:\n  - name: review\n    route: [draft, publish]\n    timeout: 120\n",
    });
    processes.push(gateway.process);
    api = `${gateway.base}/api/v1`;
    const trusted = { ASYA_GATEWAY_URL: gateway.internal };
    const state = {
      ASYA_STATE_STORE: "file",
      ASYA_STATE_DIR: mkdtempSync(join(tmpdir(), "asya-pause-state-")),
    };
    const launched = await Promise.all([
      launchActor({ name: "draft", namespace, broker, handler: `${HANDLERS}#draft`, env: trusted }),
      launchActor({ name: "publish", namespace, broker, handler: `${HANDLERS}#publish`, env: trusted }),
      launchActor({ name: "x-pause", namespace, broker, crew: "x-pause", env: { ...trusted, ...state } }),
      launchActor({ name: "x-resume", namespace, broker, crew: "x-resume", env: { ...trusted, ...state } }),
      launchActor({
        name: "x-sink",
        namespace,
        broker,
        crew: "x-sink",
        env: { ...trusted, ASYA_SINK_STORE: "stdout" },
      }),
    ]);
    processes.push(...launched.map((actor) => actor.process));
    [pauseActor, resumeActor] = [launched[2], launched[3]];
  }, 120_000);

  afterAll(async () => {
    await stopAll(processes);
  });

  it("pauses (status paused with the metadata over SSE), refuses a wrong answer, resumes once, ends with the answer", async () => {
    const created = await post("/mesh?tool=review", { payload: { topic: "owls" } });
    const id = created.body.id as string;
    // The SSE stream shows the pause with its metadata.
    const response = await fetch(`${api}/mesh/${id}/events`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes('"status":"paused"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    expect(text).toContain('"prompt":"Publish this draft?"');
    expect((await task(id)).data).toMatchObject({
      status: "paused",
      pause: { fields: [{ name: "approved" }, { name: "editor" }] },
    });

    const wrong = await post(`/mesh/${id}/resume`, { approved: "yes" });
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: { message: "approved: expected boolean, got string" } },
    });
    expect((await post(`/mesh/${id}/resume`, { approved: true, editor: "ann" })).status).toBe(202);
    expect((await post(`/mesh/${id}/resume`, { approved: true })).status).toBe(409);
    await waitFor("the resumed task to succeed", async () => (await task(id)).status === "succeeded", 30_000);
    expect((await task(id)).data.result).toEqual({
      published: true,
      draft: "about owls",
      approved: true,
      review: { editor: "ann" },
    });
  });

  it("a pause with timeout_s nobody answers ends failed: pause expired", async () => {
    const id = (await post("/mesh?tool=review", { payload: { topic: "late", timeout_s: 0.5 } })).body
      .id as string;
    await waitFor("the pause to expire", async () => (await task(id)).status === "failed", 30_000);
    expect((await task(id)).data.error).toMatchObject({ type: "PauseExpired" });
  });

  it(`${TASKS} tasks pause and resume while x-pause and then x-resume are SIGKILLed: none lost, none doubled`, async () => {
    const ids = await Promise.all(
      Array.from(
        { length: TASKS },
        async (_, i) => (await post("/mesh?tool=review", { payload: { topic: `t${i}` } })).body.id as string,
      ),
    );
    await (pauseActor as LaunchedActor).killAndRestart();
    await waitFor(
      `${TASKS} paused tasks`,
      async () => (await Promise.all(ids.map(task))).every((t) => t.status === "paused"),
      60_000,
    );
    const answered = ids.map((id) => post(`/mesh/${id}/resume`, { approved: true }));
    await (resumeActor as LaunchedActor).killAndRestart();
    expect((await Promise.all(answered)).map((r) => r.status)).toEqual(ids.map(() => 202));
    await waitFor(
      `${TASKS} finished tasks`,
      async () => (await Promise.all(ids.map(task))).every((t) => t.status === "succeeded"),
      60_000,
    );
    for (const [i, id] of ids.entries()) {
      expect((await task(id)).data.result).toMatchObject({ published: true, draft: `about t${i}` });
      const history = (await (await fetch(`${api}/mesh/${id}/history`)).json()) as {
        events: { status: string }[];
      };
      expect(history.events.filter((e) => e.status === "succeeded")).toHaveLength(1);
    }
  });
});
