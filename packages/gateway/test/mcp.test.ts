import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { defineTool, parseRegistry, type Registry } from "../src/index.js";
import { onCleanup, until } from "./helpers.js";
import { FRONT_DOOR_REGISTRY, PAUSE, startPipeline } from "./pipeline.js";

// From outside: the official MCP client (`Client` + `StreamableHTTPClientTransport`) against the
// gateway's /mcp, with in-process actors on the memory transport.

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "asya-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    ...(token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  });
  await client.connect(transport);
  onCleanup(() => client.close());
  return client;
}

describe("MCP front door (official SDK client)", () => {
  it("lists the registry's tools with each inputSchema whole (nested objects and items kept)", async () => {
    const { gateway } = await startPipeline();
    const client = await connect(gateway.url);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "shout-stream",
      "stuck",
      "echo-list",
      "approve",
      "approve-draft",
    ]);
    const registered = parseRegistry(FRONT_DOOR_REGISTRY).tools[0]?.inputSchema;
    expect(tools[0]?.inputSchema).toEqual(registered);
    expect(tools[0]?.inputSchema).toMatchObject({
      properties: { options: { properties: { tags: { type: "array", items: { type: "string" } } } } },
    });
    expect(tools[0]?.description).toBe("Upper-cases text and streams it letter by letter");
  });

  it("tools/call runs the pipeline: strictly increasing progress, FLY as log messages, a structured result", async () => {
    const { gateway, api } = await startPipeline();
    const client = await connect(gateway.url);
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });
    const progress: Progress[] = [];
    const result = await client.callTool({ name: "shout-stream", arguments: { text: "hey" } }, undefined, {
      onprogress: (p) => progress.push(p),
      resetTimeoutOnProgress: true,
    });
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toEqual({ said: "HEY" });
    expect(result.content).toEqual([{ type: "text", text: '{"said":"HEY"}' }]);
    const values = progress.map((p) => p.progress);
    expect(values.length).toBeGreaterThan(0);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
    expect(values.at(-1)).toBe(100);
    expect(progress.every((p) => p.total === 100)).toBe(true);
    expect(logs).toEqual(
      ["H", "E", "Y"].map((text) => ({ level: "info", logger: "shout-stream", data: { text } })),
    );
    const id = (result._meta as Record<string, string>)["asya/task_id"];
    const task = (await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string };
    expect(task.status).toBe("succeeded");
  });

  it("a result that is not an object is structured as {result}", async () => {
    const { gateway } = await startPipeline();
    const client = await connect(gateway.url);
    const result = await client.callTool({ name: "echo-list", arguments: {} });
    expect(result.structuredContent).toEqual({ result: [1, 2, 3] });
    expect(result.content).toEqual([{ type: "text", text: "[1,2,3]" }]);
  });

  it("a paused task is not an error: the result carries the pause prompt and fields", async () => {
    const { gateway } = await startPipeline();
    const client = await connect(gateway.url);
    const result = await client.callTool({ name: "approve", arguments: { draft: "d" } });
    expect(result.isError).not.toBe(true);
    const id = (result._meta as Record<string, string>)["asya/task_id"];
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toEqual({
      status: "paused",
      task_id: id,
      ...PAUSE,
    });
  });

  it("a client that can elicit answers the pause through elicitation/create, and the call goes on to the result", async () => {
    const { gateway } = await startPipeline();
    const client = new Client({ name: "asya-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: unknown[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params);
      return { action: "accept", content: { approved: true } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    onCleanup(() => client.close());
    const result = await client.callTool({ name: "approve-draft", arguments: { topic: "owls" } });
    expect(result.isError).not.toBe(true);
    expect(result.structuredContent).toEqual({ published: true, draft: "about owls" });
    expect(asked).toEqual([
      {
        message: "Publish this draft?",
        requestedSchema: {
          type: "object",
          properties: { approved: { type: "boolean", title: "approved" } },
          required: ["approved"],
        },
      },
    ]);
  });

  it("a declined elicitation leaves the task paused and returns the paused result", async () => {
    const { gateway, api } = await startPipeline();
    const client = new Client({ name: "asya-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "decline" }));
    await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    onCleanup(() => client.close());
    const result = await client.callTool({ name: "approve-draft", arguments: { topic: "owls" } });
    expect(result.isError).not.toBe(true);
    const id = (result._meta as Record<string, string>)["asya/task_id"];
    expect(JSON.parse((result.content as { text: string }[])[0]?.text ?? "")).toMatchObject({
      status: "paused",
      task_id: id,
      prompt: "Publish this draft?",
    });
    expect(((await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string }).status).toBe("paused");
  });

  it("invalid arguments are a tool error naming the field, and nothing is published", async () => {
    const { gateway, transport, api } = await startPipeline();
    const client = await connect(gateway.url);
    const published: string[] = [];
    const original = transport.publish.bind(transport);
    transport.publish = (queue, message, options) => {
      published.push(queue);
      return original(queue, message, options);
    };
    const missing = await client.callTool({ name: "shout-stream", arguments: {} });
    expect(missing.isError).toBe(true);
    expect(missing.content).toEqual([
      { type: "text", text: "invalid arguments: arguments: must have required property 'text'" },
    ]);
    const nested = await client.callTool({
      name: "shout-stream",
      arguments: { text: "x", options: { tags: [1] } },
    });
    expect(nested.content).toEqual([
      { type: "text", text: "invalid arguments: arguments.options.tags[0]: must be string" },
    ]);
    await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toThrow(/unknown tool "nope"/);
    expect(published).toEqual([]);
    expect(((await (await fetch(`${api}/mesh`)).json()) as { total: number }).total).toBe(0);
  });

  it("the client's cancellation cancels the mesh task", async () => {
    const { gateway, api } = await startPipeline();
    const client = await connect(gateway.url);
    const abort = new AbortController();
    const call = client.callTool({ name: "stuck", arguments: {} }, undefined, { signal: abort.signal });
    let id = "";
    await until(async () => {
      const list = (await (await fetch(`${api}/mesh`)).json()) as { messages: { id: string }[] };
      id = list.messages[0]?.id ?? "";
      return id !== "";
    });
    abort.abort("user pressed stop");
    await expect(call).rejects.toThrow();
    await until(
      async () =>
        ((await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string }).status === "canceled",
    );
  });

  it("a failed task is isError with its error; a canceled one too", async () => {
    const { gateway, api } = await startPipeline();
    const client = await connect(gateway.url);
    const call = client.callTool({ name: "stuck", arguments: {} });
    let id = "";
    await until(async () => {
      const list = (await (await fetch(`${api}/mesh`)).json()) as { messages: { id: string }[] };
      id = list.messages[0]?.id ?? "";
      return id !== "";
    });
    expect((await fetch(`${api}/mesh/${id}`, { method: "DELETE" })).status).toBe(204);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: "text", text: `task ${id} canceled: canceled by request` }]);
  });

  it("needs the bearer token when one is set; a foreign Origin is refused", async () => {
    const { gateway } = await startPipeline({ apiKey: "sekret" });
    await expect(connect(gateway.url)).rejects.toThrow(/401|Unauthorized/i);
    const client = await connect(gateway.url, "sekret");
    expect((await client.listTools()).tools.length).toBe(5);
    const foreign = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: {
        authorization: "Bearer sekret",
        origin: "https://evil.example",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
  });

  it("malformed JSON-RPC, an unknown session and an oversized body are protocol errors", async () => {
    const { gateway } = await startPipeline();
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const bad = await fetch(`${gateway.url}/mcp`, { method: "POST", headers, body: "{nope" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32700 } });
    const unknown = await fetch(`${gateway.url}/mcp`, {
      method: "POST",
      headers: { ...headers, "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(unknown.status).toBe(404);
    const client = await connect(gateway.url);
    const big = await client
      .callTool({ name: "shout-stream", arguments: { text: "x".repeat(11 * 1024 * 1024) } })
      .then(
        () => "accepted",
        (error: Error) => error.message,
      );
    expect(big).toMatch(/413|too large|exceeds/i);
  });

  it("defineTool: a zod schema is listed as JSON Schema and validates with zod", async () => {
    const tool = defineTool({
      name: "shout-zod",
      route: ["shout", "stream"],
      input: z.object({ text: z.string().min(2) }),
    });
    const registry: Registry = { tools: [tool], agents: [] };
    const { gateway } = await startPipeline({ registry: () => registry });
    const client = await connect(gateway.url);
    const { tools } = await client.listTools();
    expect(tools[0]?.inputSchema).toMatchObject({
      type: "object",
      properties: { text: { type: "string", minLength: 2 } },
      required: ["text"],
    });
    const short = await client.callTool({ name: "shout-zod", arguments: { text: "x" } });
    expect(short.isError).toBe(true);
    expect(JSON.stringify(short.content)).toMatch(/arguments\.text: Too small/);
    const ok = await client.callTool({ name: "shout-zod", arguments: { text: "ok" } });
    expect(ok.structuredContent).toEqual({ said: "OK" });
  });

  it("a hot-reloaded registry is announced with notifications/tools/list_changed", async () => {
    let registry = parseRegistry(FRONT_DOOR_REGISTRY);
    const { gateway } = await startPipeline({ registry: () => registry });
    const client = await connect(gateway.url);
    let changed = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    // The announcement goes on the session's GET stream (opened by the client after initialize);
    // the gateway looks for a changed registry once a second.
    registry = parseRegistry("tools:\n  - name: only\n    actor: solo\n");
    await until(() => changed > 0);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["only"]);
  });
});
