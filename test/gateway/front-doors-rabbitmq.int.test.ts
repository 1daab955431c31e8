import { join } from "node:path";
import { type Message, Role, type Task, TaskState } from "@a2a-js/sdk";
import { type Client as A2aClient, ClientFactory } from "@a2a-js/sdk/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorProcess, REPO_ROOT, stopAll } from "../reliability/harness/actor-process.js";
import { launchActor, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { startGatewayProcess } from "./gateway-process.js";

// From outside: `asya gateway` and `asya run` actors as processes on a private RabbitMQ node, driven
// by the official MCP client (@modelcontextprotocol/sdk) and the official A2A client (@a2a-js/sdk).
// Pipelines: the 2-actor shout -> stream, and the demo's clean -> enrich -> judge (-> review).

const HANDLERS = join(REPO_ROOT, "test/gateway/fixtures/handlers.js");
const CALLS = Number(process.env.ASYA_TEST_FRONT_DOOR_CALLS ?? 20);
const TOKEN = "front-door-secret";

const REGISTRY = `
tools:
  - name: shout-stream
    description: Upper-cases text and streams it
    route: [shout, stream]
    timeout: 60
    inputSchema: {type: object, properties: {text: {type: string}}, required: [text]}
  - name: demo-pipeline
    description: The demo pipeline (clean, enrich, judge)
    route: [clean, enrich, judge]
    timeout: 60
    inputSchema: {type: object, properties: {doc: {type: string}, text: {type: string}}, required: [doc, text]}
agents:
  - name: shouter
    route: [shout, stream]
    skills: [{id: shout, name: Shout, description: Upper-cases text}]
  - name: demo
    route: [clean, enrich, judge]
    skills: [{id: demo, name: Demo pipeline, description: Cleans, splits and judges a document}]
  - name: parker
    actor: parked
    skills: [{id: park, name: Park, description: An actor with no consumer; its tasks wait}]
`;

function message(skill: string, data: Record<string, unknown>): Message {
  return {
    role: Role.ROLE_USER,
    messageId: crypto.randomUUID(),
    contextId: "",
    taskId: "",
    parts: [{ content: { $case: "data", value: data }, metadata: undefined, filename: "", mediaType: "" }],
    metadata: { skill },
    extensions: [],
    referenceTaskIds: [],
  };
}
const send = (m: Message) => ({ tenant: "", message: m, configuration: undefined, metadata: {} });
const auth = { serviceParameters: { Authorization: `Bearer ${TOKEN}` } };

describe("MCP and A2A front doors of asya gateway, actors on RabbitMQ", () => {
  const processes: ActorProcess[] = [];
  const namespace = uniqueNamespace("fd");
  let base = "";

  async function mcpClient(): Promise<Client> {
    const client = new Client({ name: "asya-int-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    return client;
  }
  const a2aClient = (): Promise<A2aClient> => new ClientFactory().createFromUrl(base);

  beforeAll(async () => {
    const broker = rabbitMqEnv(rabbitMqUrl());
    const gateway = await startGatewayProcess({
      broker,
      namespace,
      registry: REGISTRY,
      env: { ASYA_GATEWAY_API_KEY: TOKEN },
    });
    processes.push(gateway.process);
    base = gateway.base;
    const trusted = { ASYA_GATEWAY_URL: gateway.internal };
    const launched = await Promise.all([
      launchActor({ name: "shout", namespace, broker, handler: `${HANDLERS}#shout`, env: trusted }),
      launchActor({ name: "stream", namespace, broker, handler: `${HANDLERS}#stream`, env: trusted }),
      ...["clean", "enrich", "judge", "review"].map((name) =>
        launchActor({ name, namespace, broker, handler: `@asya/cli/demo#${name}`, env: trusted }),
      ),
      launchActor({
        name: "x-sink",
        namespace,
        broker,
        crew: "x-sink",
        env: { ...trusted, ASYA_SINK_STORE: "stdout" },
      }),
    ]);
    processes.push(...launched.map((actor) => actor.process));
  }, 120_000);

  afterAll(async () => {
    await stopAll(processes);
  });

  it("MCP: the demo pipeline end to end with progress and FLY partials; a structured result", async () => {
    const client = await mcpClient();
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(["shout-stream", "demo-pipeline"]);
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
        logs.push(n.params.data);
      });
      const progress: number[] = [];
      const result = await client.callTool(
        { name: "demo-pipeline", arguments: { doc: "d1", text: "Hello there. The sky is blue." } },
        undefined,
        { onprogress: (p) => progress.push(p.progress), resetTimeoutOnProgress: true },
      );
      expect(result.isError).not.toBe(true);
      expect(result.structuredContent).toMatchObject({
        doc: "d1",
        index: 0,
        sentence: "Hello there.",
        verdict: "ok",
      });
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress).toEqual([...new Set(progress)].sort((a, b) => a - b));
      expect(logs).toEqual([
        { doc: "d1", progress: "1/2" },
        { doc: "d1", progress: "2/2" },
      ]);
      const invalid = await client.callTool({ name: "demo-pipeline", arguments: { doc: "d2" } });
      expect(invalid.isError).toBe(true);
      expect(JSON.stringify(invalid.content)).toMatch(/must have required property 'text'/);
    } finally {
      await client.close();
    }
  });

  it("A2A: the demo pipeline streamed: working, FLY artifact updates, the result artifact, completed", async () => {
    const client = await a2aClient();
    const cases: string[] = [];
    const fly: unknown[] = [];
    let result: unknown;
    for await (const event of client.sendMessageStream(
      send(message("demo", { doc: "d3", text: "First one. Second one." })),
      auth,
    )) {
      const payload = event.payload;
      if (payload === undefined) continue;
      if (payload.$case === "statusUpdate") cases.push(TaskState[payload.value.status?.state ?? 0] ?? "");
      else cases.push(payload.$case);
      if (payload.$case === "artifactUpdate") {
        const content = payload.value.artifact?.parts[0]?.content;
        if (payload.value.artifact?.artifactId === "fly-stream") fly.push(content?.value);
        else result = content?.value;
      }
    }
    expect(cases[0]).toBe("task");
    expect(cases.at(-1)).toBe("TASK_STATE_COMPLETED");
    expect(cases.filter((c) => c.startsWith("TASK_STATE_") && c !== "TASK_STATE_WORKING")).toEqual([
      "TASK_STATE_COMPLETED",
    ]);
    expect(fly).toEqual([
      { doc: "d3", progress: "1/2" },
      { doc: "d3", progress: "2/2" },
    ]);
    expect(result).toMatchObject({ doc: "d3", sentence: "First one.", verdict: "ok" });
  });

  it("A2A: cancel by the A2A task id cancels the mesh task", async () => {
    const client = await a2aClient();
    // `parked` has no consumer: the task waits in its queue until canceled.
    const stream = client.sendMessageStream(send(message("park", { text: "wait" })), auth);
    const first = await stream.next();
    const task = (first.value as { payload: { value: Task } }).payload.value;
    const meshId = task.metadata?.asya_task_id as string;
    expect(meshId).not.toBe(task.id);
    const canceled = await client.cancelTask({ tenant: "", id: task.id, metadata: {} }, auth);
    expect(canceled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    const mesh = (await (
      await fetch(`${base}/api/v1/mesh/${meshId}`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).json()) as { status: string };
    expect(mesh.status).toBe("canceled");
    const rest: TaskState[] = [];
    for await (const event of stream)
      if (event.payload?.$case === "statusUpdate") rest.push(event.payload.value.status?.state as TaskState);
    expect(rest.at(-1)).toBe(TaskState.TASK_STATE_CANCELED);
  });

  it(`${CALLS} concurrent MCP tool calls and ${CALLS} concurrent A2A streams on the 2-actor pipeline all complete, each with one final`, async () => {
    const started = Date.now();
    const mcp = Promise.all(
      Array.from({ length: CALLS }, async (_, i) => {
        const client = await mcpClient();
        try {
          const result = await client.callTool({ name: "shout-stream", arguments: { text: `m${i}` } });
          return result.structuredContent;
        } finally {
          await client.close();
        }
      }),
    );
    const a2a = a2aClient().then((client) =>
      Promise.all(
        Array.from({ length: CALLS }, async (_, i) => {
          const finals: TaskState[] = [];
          let said: unknown;
          for await (const event of client.sendMessageStream(
            send(message("shout", { text: `a${i}` })),
            auth,
          )) {
            const payload = event.payload;
            if (payload?.$case === "statusUpdate") {
              const state = payload.value.status?.state as TaskState;
              if (state !== TaskState.TASK_STATE_WORKING) finals.push(state);
            }
            if (payload?.$case === "artifactUpdate" && payload.value.artifact?.artifactId === "result") {
              said = payload.value.artifact.parts[0]?.content?.value;
            }
          }
          return { finals, said };
        }),
      ),
    );
    const [mcpResults, a2aResults] = await Promise.all([mcp, a2a]);
    expect(mcpResults).toEqual(Array.from({ length: CALLS }, (_, i) => ({ said: `M${i}` })));
    expect(a2aResults).toEqual(
      Array.from({ length: CALLS }, (_, i) => ({
        finals: [TaskState.TASK_STATE_COMPLETED],
        said: { said: `A${i}` },
      })),
    );
    console.info(`[front doors] ${CALLS} MCP calls + ${CALLS} A2A streams in ${Date.now() - started} ms`);
  });
});
