import { type Message, type Part, Role, type Task, TaskState } from "@a2a-js/sdk";
import { type Client, ClientFactory } from "@a2a-js/sdk/client";
import { describe, expect, it } from "vitest";
import { PAUSE, startPipeline } from "./pipeline.js";

// From outside: the official A2A client (`ClientFactory` from @a2a-js/sdk, protocol 1.0) and raw
// JSON-RPC over fetch for the 0.3 method names, against in-process actors on the memory transport.

function userMessage(text: string, skill?: string, data?: Record<string, unknown>): Message {
  return {
    role: Role.ROLE_USER,
    messageId: crypto.randomUUID(),
    contextId: "",
    taskId: "",
    parts: [
      { content: { $case: "text", value: text }, metadata: undefined, filename: "", mediaType: "text/plain" },
      ...(data === undefined
        ? []
        : [
            {
              content: { $case: "data" as const, value: data },
              metadata: undefined,
              filename: "",
              mediaType: "",
            },
          ]),
    ],
    metadata: skill === undefined ? {} : { skill },
    extensions: [],
    referenceTaskIds: [],
  };
}

const send = (message: Message) => ({ tenant: "", message, configuration: undefined, metadata: {} });

const clientFor = (url: string): Promise<Client> => new ClientFactory().createFromUrl(url);

const textOf = (parts: readonly Part[] | undefined) =>
  (parts ?? []).map((p) =>
    p.content?.$case === "text" ? p.content.value : JSON.stringify(p.content?.value),
  );

describe("A2A front door (official SDK client)", () => {
  it("serves one agent card: skills from every registered agent, streaming, the JSON-RPC endpoint", async () => {
    const { gateway } = await startPipeline();
    const card = (await (
      await fetch(`${gateway.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })
    ).json()) as Record<string, unknown>;
    expect(card).toMatchObject({
      name: "asya-gateway",
      capabilities: { streaming: true },
      supportedInterfaces: [
        { url: `${gateway.url}/a2a`, protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      ],
    });
    expect((card.skills as { id: string }[]).map((s) => s.id)).toEqual([
      "shout",
      "wait",
      "approve",
      "approve-draft",
    ]);
    const legacy = (await (await fetch(`${gateway.url}/.well-known/agent.json`)).json()) as Record<
      string,
      unknown
    >;
    expect(legacy).toMatchObject({
      protocolVersion: "0.3.0",
      url: `${gateway.url}/a2a`,
      preferredTransport: "JSONRPC",
    });
  });

  it("message/send (SendMessage) runs the chosen skill's pipeline to a completed task with a result artifact", async () => {
    const { gateway, api } = await startPipeline();
    const client = await clientFor(gateway.url);
    const result = (await client.sendMessage(send(userMessage("hello", "shout")))) as Task;
    expect(result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const artifact = result.artifacts.find((a) => a.artifactId === "result");
    expect(artifact?.parts[0]?.content).toEqual({ $case: "data", value: { said: "HELLO" } });
    const meshId = result.metadata?.asya_task_id as string;
    expect(meshId).not.toBe(result.id);
    const task = (await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string };
    expect(task.status).toBe("succeeded");
    const fetched = await client.getTask({ tenant: "", id: result.id, historyLength: undefined });
    expect(fetched.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it("message/stream: working updates, FLY as fly-stream artifact updates (append after the first), result, one final", async () => {
    const { gateway } = await startPipeline();
    const client = await clientFor(gateway.url);
    const kinds: string[] = [];
    const fly: { text: unknown; append: boolean }[] = [];
    const states: TaskState[] = [];
    for await (const event of client.sendMessageStream(send(userMessage("abc", "shout")))) {
      const payload = event.payload;
      if (payload === undefined) continue;
      kinds.push(payload.$case);
      if (payload.$case === "artifactUpdate" && payload.value.artifact?.artifactId === "fly-stream") {
        const content = payload.value.artifact.parts[0]?.content;
        fly.push({
          text: content?.$case === "data" ? content.value.text : content?.value,
          append: payload.value.append,
        });
      }
      if (payload.$case === "statusUpdate" && payload.value.status !== undefined)
        states.push(payload.value.status.state);
    }
    expect(kinds[0]).toBe("task");
    expect(fly).toEqual([
      { text: "A", append: false },
      { text: "B", append: true },
      { text: "C", append: true },
    ]);
    expect(states.filter((s) => s !== TaskState.TASK_STATE_WORKING)).toEqual([
      TaskState.TASK_STATE_COMPLETED,
    ]);
    expect(states[0]).toBe(TaskState.TASK_STATE_WORKING);
  });

  it("a message's parts become the payload: text joined into query, data fields merged, a2a ids added", async () => {
    const { gateway, api } = await startPipeline();
    const client = await clientFor(gateway.url);
    const task = (await client.sendMessage(send(userMessage("two words", "shout", { extra: 1 })))) as Task;
    const meshId = task.metadata?.asya_task_id as string;
    const history = (await (await fetch(`${api}/mesh/${meshId}/history`)).json()) as { events: unknown[] };
    expect(history.events.length).toBeGreaterThan(0);
    const done = task.artifacts.find((a) => a.artifactId === "result")?.parts[0]?.content;
    expect(done).toEqual({ $case: "data", value: { said: "TWO WORDS" } });
  });

  it("tasks/cancel (CancelTask) cancels the mesh task, by the A2A task id", async () => {
    const { gateway, api } = await startPipeline();
    const client = await clientFor(gateway.url);
    const stream = client.sendMessageStream(send(userMessage("zzz", "wait")));
    const first = await stream.next();
    const task = (first.value as { payload: { $case: "task"; value: Task } }).payload.value;
    const meshId = task.metadata?.asya_task_id as string;
    const canceled = await client.cancelTask({ tenant: "", id: task.id, metadata: {} });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const mesh = (await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string };
    expect(mesh.status).toBe("canceled");
    const rest: TaskState[] = [];
    for await (const event of stream)
      if (event.payload?.$case === "statusUpdate") rest.push(event.payload.value.status?.state as TaskState);
    expect(rest.at(-1)).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it("a paused task is input-required with the prompt; canceling it cancels the mesh task", async () => {
    const { gateway, api } = await startPipeline();
    const client = await clientFor(gateway.url);
    const task = (await client.sendMessage(send(userMessage("draft", "approve")))) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(textOf(task.status?.message?.parts)).toEqual(["paused: waiting for input", JSON.stringify(PAUSE)]);
    const meshId = task.metadata?.asya_task_id as string;
    expect(((await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string }).status).toBe(
      "paused",
    );
    const canceled = await client.cancelTask({ tenant: "", id: task.id, metadata: {} });
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect(((await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string }).status).toBe(
      "canceled",
    );
  });

  it("SubscribeToTask (tasks/resubscribe): a second client joins a live task and sees it end", async () => {
    const { gateway } = await startPipeline();
    const client = await clientFor(gateway.url);
    const stream = client.sendMessageStream(send(userMessage("zzz", "wait")));
    const task = ((await stream.next()).value as { payload: { value: Task } }).payload.value;
    const joined = client.resubscribeTask({ tenant: "", id: task.id });
    const firstJoined = await joined.next();
    expect(firstJoined.value?.payload?.$case).toBe("task");
    await client.cancelTask({ tenant: "", id: task.id, metadata: {} });
    const states: TaskState[] = [];
    for await (const event of joined)
      if (event.payload?.$case === "statusUpdate")
        states.push(event.payload.value.status?.state as TaskState);
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_CANCELED);
    await stream.return(undefined);
  });

  it("a new message on an input-required task resumes it with the message's data, to completed", async () => {
    const { gateway, api } = await startPipeline();
    const client = await clientFor(gateway.url);
    const paused = (await client.sendMessage(send(userMessage("owls", "approve-draft")))) as Task;
    expect(paused.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const meshId = paused.metadata?.asya_task_id as string;
    // A wrong answer is refused with a message; the task stays input-required.
    const wrong = await client.sendMessage(
      send({
        ...userMessage("", undefined, { approved: "yes" }),
        taskId: paused.id,
        contextId: paused.contextId,
        parts: [],
      }),
    );
    expect(textOf((wrong as Message).parts)).toEqual([
      `task ${paused.id} was not resumed: approved: required`,
    ]);
    const answer: Message = {
      ...userMessage("ok", undefined, { approved: true }),
      taskId: paused.id,
      contextId: paused.contextId,
    };
    const done = (await client.sendMessage(send(answer))) as Task;
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.artifacts.find((a) => a.artifactId === "result")?.parts[0]?.content).toEqual({
      $case: "data",
      value: { published: true, draft: "about owls" },
    });
    expect(((await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string }).status).toBe(
      "succeeded",
    );
  });

  it("the 0.3 method names over raw JSON-RPC answer in 0.3 shapes", async () => {
    const { gateway, api } = await startPipeline();
    const rpc = async (method: string, params: unknown) => {
      const response = await fetch(`${gateway.url}/a2a`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method, params }),
      });
      return {
        status: response.status,
        type: response.headers.get("content-type"),
        text: await response.text(),
      };
    };
    const message = {
      kind: "message",
      role: "user",
      messageId: crypto.randomUUID(),
      parts: [{ kind: "data", data: { text: "legacy" } }],
      metadata: { skill: "shout" },
    };
    const sent = await rpc("message/send", { message });
    expect(sent.status).toBe(200);
    const body = JSON.parse(sent.text) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({ kind: "task", status: { state: "completed" } });
    const artifacts = body.result.artifacts as { artifactId: string; parts: unknown[] }[];
    expect(artifacts.find((a) => a.artifactId === "result")?.parts).toEqual([
      { kind: "data", data: { said: "LEGACY" } },
    ]);
    const taskId = body.result.id as string;
    const got = JSON.parse((await rpc("tasks/get", { id: taskId })).text) as {
      result: { kind: string; id: string };
    };
    expect(got.result).toMatchObject({ kind: "task", id: taskId });

    const streamed = await rpc("message/stream", { message: { ...message, messageId: crypto.randomUUID() } });
    expect(streamed.type).toMatch(/text\/event-stream/);
    const events = streamed.text
      .split("\n\n")
      .filter((chunk) => chunk.startsWith("data: "))
      .map(
        (chunk) =>
          (
            JSON.parse(chunk.slice(6)) as {
              result: { kind: string; final?: boolean; status?: { state: string } };
            }
          ).result,
      );
    expect(events[0]?.kind).toBe("task");
    expect(events.filter((e) => e.kind === "artifact-update").length).toBeGreaterThan(0);
    const finals = events.filter((e) => e.final === true);
    expect(finals).toHaveLength(1);
    expect(finals[0]?.status?.state).toBe("completed");

    // Cancel by the A2A task id (not the mesh id), on a task sent without blocking.
    const waiting = JSON.parse(
      (
        await rpc("message/send", {
          message: { ...message, messageId: crypto.randomUUID(), metadata: { skill: "wait" } },
          configuration: { blocking: false },
        })
      ).text,
    ) as { result: { id: string; metadata: { asya_task_id: string } } };
    const meshId = waiting.result.metadata.asya_task_id;
    expect(meshId).not.toBe(waiting.result.id);
    const canceled = JSON.parse((await rpc("tasks/cancel", { id: waiting.result.id })).text) as {
      result: { kind: string; status: { state: string } };
    };
    expect(canceled.result).toMatchObject({ kind: "task", status: { state: "canceled" } });
    const mesh = (await (await fetch(`${api}/mesh/${meshId}`)).json()) as { status: string };
    expect(mesh.status).toBe("canceled");
  });

  it("bad input: unknown skill, malformed JSON-RPC, wrong content type, oversized body, missing token", async () => {
    const { gateway } = await startPipeline({ apiKey: "sekret" });
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${gateway.url}/a2a`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sekret", ...headers },
        body,
      });
    const noToken = await fetch(`${gateway.url}/a2a`, { method: "POST", body: "{}" });
    expect(noToken.status).toBe(401);
    // The card stays public; the official client sends the token as a service parameter (a header).
    const client = await clientFor(gateway.url);
    await expect(client.sendMessage(send(userMessage("x", "shout")))).rejects.toThrow(/401/);
    const task = (await client.sendMessage(send(userMessage("ok", "shout")), {
      serviceParameters: { Authorization: "Bearer sekret" },
    })) as Task;
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const unknownSkill = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "message/send",
        params: {
          message: {
            kind: "message",
            role: "user",
            messageId: "m1",
            parts: [{ kind: "text", text: "x" }],
            metadata: { skill: "nope" },
          },
        },
      }),
    );
    expect(await unknownSkill.json()).toMatchObject({
      id: 1,
      error: { code: -32602, message: /unknown skill "nope"/ },
    });
    expect(await (await post("{oops")).json()).toMatchObject({ id: null, error: { code: -32700 } });
    for (const method of ["nope/nope", "Nope", 42]) {
      expect(await (await post(JSON.stringify({ jsonrpc: "2.0", id: 2, method }))).json()).toMatchObject({
        id: 2,
        error: { code: -32601 },
      });
    }
    expect(await (await post("{}", { "content-type": "text/plain" })).json()).toMatchObject({ error: {} });
    const big = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "message/send", pad: "x".repeat(11 * 1024 * 1024) }),
    );
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: -32600 } });
    // None of it started a task.
    const tasks = (await (
      await fetch(`${gateway.url}/api/v1/mesh`, { headers: { authorization: "Bearer sekret" } })
    ).json()) as { total: number };
    expect(tasks.total).toBe(1); // the one good SendMessage above
  });
});
