import { writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { describe, expect, it } from "vitest";
import { GatewayError, parseRegistry, watchRegistryFile } from "../src/index.js";
import { onCleanup, post, startGateway, until } from "./helpers.js";

const YAML = `
tools:
  - name: summarize
    description: Summarize a document
    route: [clean, summarize]
    timeout: 120
  - name: review
    actor: start-review
agents:
  - name: reviewer
    actor: start-review
`;

describe("registry (GATEWAY.md section 4)", () => {
  it("parses tools and agents; names the first bad field", () => {
    const registry = parseRegistry(YAML);
    expect(registry.tools.map((t) => t.name)).toEqual(["summarize", "review"]);
    expect(() => parseRegistry("tools:\n  - name: x\n    route: [Bad_Name]\n", "registry r.yaml")).toThrow(
      /registry r\.yaml: tools\[0\] \(x\)\.route\[0\]: actor names must be DNS-1123 labels/,
    );
    expect(() => parseRegistry("tools:\n  - name: x\n")).toThrow(
      /registry: tools\[0\] \(x\)\.actor: set exactly one of actor and route/,
    );
    expect(() => parseRegistry("tools: [")).toThrow(GatewayError);
    expect(() => parseRegistry("tools:\n  - name: x\n    actor: a\n  - name: x\n    actor: b\n")).toThrow(
      /tools: x is listed twice/,
    );
  });

  it("the demo's registry (examples/demo/registry.yaml, shown in the README) is valid", async () => {
    const { readFile } = await import("node:fs/promises");
    const path = new URL("../../../examples/demo/registry.yaml", import.meta.url);
    const registry = parseRegistry(await readFile(path, "utf8"), "examples/demo/registry.yaml");
    expect(registry.tools.map((t) => t.name)).toEqual(["review-document", "digest"]);
    expect(registry.agents[0]?.skills?.map((s) => s.id)).toEqual(["review-document"]);
  });

  it("checks each inputSchema at load: an object schema that compiles", () => {
    expect(() =>
      parseRegistry("tools:\n  - name: t\n    actor: a\n    inputSchema: {type: string}\n"),
    ).toThrow(/tools\[0\] \(t\)\.inputSchema: an MCP inputSchema must have type: "object"/);
    expect(() =>
      parseRegistry(
        "tools:\n  - name: t\n    actor: a\n    inputSchema: {type: object, properties: {n: {type: nope}}}\n",
      ),
    ).toThrow(/tools\[0\] \(t\)\.inputSchema: not a valid JSON Schema/);
    const draft7 = parseRegistry(
      'tools:\n  - name: t\n    actor: a\n    inputSchema: {$schema: "http://json-schema.org/draft-07/schema#", type: object, properties: {n: {type: number}}}\n',
    );
    expect(draft7.tools[0]?.inputSchema?.$schema).toMatch(/draft-07/);
  });

  it("agents: actor or route, streaming by default, a skill named after the agent when none is listed", () => {
    const registry = parseRegistry(
      "agents:\n  - name: a\n    route: [x, y]\n    timeout: 5\n  - name: b\n    actor: z\n    streaming: false\n    skills: [{id: s, name: S}]\n",
    );
    expect(registry.agents[0]).toMatchObject({ route: ["x", "y"], streaming: true, timeout: 5 });
    expect(registry.agents[1]?.skills).toEqual([{ id: "s", name: "S", description: "", tags: [] }]);
    expect(() =>
      parseRegistry(
        "agents:\n  - name: a\n    actor: x\n    skills: [{id: s, name: S}]\n  - name: b\n    actor: y\n    skills: [{id: s, name: T}]\n",
      ),
    ).toThrow(/agents \(b\): skill id s is used by two agents/);
    expect(() => parseRegistry("agents:\n  - name: a\n    actor: x\n    skills: [{name: S}]\n")).toThrow(
      /agents\[0\] \(a\)\.skills\[0\]\.id/,
    );
  });

  it("POST /mesh?tool= writes the tool's route and timeout; entry actors are the known actors", async () => {
    const registry = parseRegistry(YAML);
    const { transport, api } = await startGateway({ registry: () => registry });
    const spy = createEnvelopeSpy(transport);
    const created = await post(`${api}/mesh?tool=summarize`, { payload: { text: "t" } });
    expect(created.status).toBe(201);
    const id = created.body?.id as string;
    await until(() => spy.history(id).length > 0);
    const envelope = spy.history(id)[0]?.envelope;
    expect(envelope?.route).toEqual({ prev: [], curr: "clean", next: ["summarize"] });
    expect(Date.parse(envelope?.status?.deadline_at ?? "") - Date.now()).toBeGreaterThan(100_000);
    expect((await post(`${api}/mesh?tool=nope`, {})).status).toBe(404);
    expect((await post(`${api}/mesh?actor=start-review`, {})).status).toBe(201);
    expect((await post(`${api}/mesh?actor=summarize`, {})).status).toBe(404);
  });

  it("hot-reloads the file; a bad version keeps the previous registry and is reported once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "asya-registry-"));
    const file = join(dir, "registry.yaml");
    writeFileSync(file, YAML);
    const errors: string[] = [];
    const watched = await watchRegistryFile(file, (error) => errors.push(error.message), 20);
    onCleanup(() => watched.close());
    writeFileSync(file, "tools:\n  - name: only\n    actor: solo\n");
    await until(() => watched.current().tools.length === 1);
    writeFileSync(file, "tools: [");
    await until(() => errors.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toHaveLength(1);
    expect(watched.current().tools.map((t) => t.name)).toEqual(["only"]);
    await expect(watchRegistryFile(join(dir, "missing.yaml"), () => undefined)).rejects.toThrow(GatewayError);
  });
});
