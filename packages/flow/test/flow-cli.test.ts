// `asya flow compile|graph|run` as a user runs them: the built bin, in a child process.
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { triage } from "../../../examples/flows/triage.js";

const exec = promisify(execFile);
const BIN = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const FLOWS = fileURLToPath(new URL("../../../examples/flows/", import.meta.url));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "asya-flow-cli-"));
  dirs.push(dir);
  return dir;
}

async function asya(
  args: readonly string[],
  cwd = FLOWS,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe("asya flow", { timeout: 90_000 }, () => {
  it("run --json prints one object per hop, then the result and the handler calls", async () => {
    const payload = { text: "hello world foo", fail: true };
    const { code, stdout } = await asya([
      "flow",
      "run",
      "triage.ts",
      "--payload",
      JSON.stringify(payload),
      "--json",
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = lines.pop();
    expect(lines[0]).toMatchObject({ hop: 0, to: "start-triage", kind: "start", payload });
    expect(lines.every((hop, i) => hop.hop === i)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ to: "x-sink", kind: "crew" });
    expect(last).toEqual({
      result: await triage(structuredClone(payload)),
      calls: [
        "classify",
        "review",
        "enrich",
        "enrich",
        "enrich",
        "enrich",
        "enrichChunk",
        "enrichChunk",
        "enrichChunk",
        "notify",
        "store",
      ],
    });
  });

  it("run prints hops as they happen and a summary", async () => {
    const { code, stdout } = await asya(["flow", "run", "loop.ts", "--payload", '{"text":"abc"}']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^running loop\.ts on the memory transport \(concurrency 1\)\n/);
    expect(stdout).toMatch(/\[ {2}1\] start-refine -> refine-if-[0-9a-f]{6} +router/);
    expect(stdout).toMatch(
      /\nsucceeded in \d+ ms: 4 handler calls, \d+ hops\nresult: \{"text":"abc","round":7/,
    );
  });

  it("a flow outside any project (no node_modules, no build step) runs", async () => {
    const dir = tempDir();
    for (const file of ["triage.ts", "handlers.ts"]) copyFileSync(join(FLOWS, file), join(dir, file));
    const { code, stdout, stderr } = await asya(
      ["flow", "run", "triage.ts", "--payload", '{"text":"ab"}', "--json"],
      dir,
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim().split("\n").at(-1) as string)).toEqual({
      result: { text: "ab", confidence: 0.2, chunks: ["ab"], seen: 1 },
      calls: ["classify"],
    });
  });

  it("run answers pauses from --answers, and says what is missing without them", async () => {
    const answered = await asya([
      "flow",
      "run",
      "pause.ts",
      "--payload",
      '{"text":"ship it"}',
      "--answers",
      '[{"approved":true,"editor":"ann"}]',
      "--json",
    ]);
    expect(answered.code).toBe(0);
    const last = JSON.parse(answered.stdout.trim().split("\n").at(-1) as string) as {
      result: object;
      calls: string[];
    };
    expect(last.result).toMatchObject({ approved: true, editor: "ann", stored: 1 });
    expect(last.calls).toEqual(["review", "store"]);
    const unanswered = await asya(["flow", "run", "pause.ts", "--payload", '{"text":"ship it"}']);
    expect(unanswered.code).toBe(1);
    expect(unanswered.stderr).toContain(
      '[asya:flow] the flow paused ("Publish "ship it"?") and no answer was given',
    );
  });

  it("compile writes routers, graph, Mermaid and manifests that asya manifests render accepts", async () => {
    const out = tempDir();
    const { code, stdout } = await asya([
      "flow",
      "compile",
      "fan-out.ts",
      "--out",
      out,
      "--image",
      "ghcr.io/acme/flows:1",
      "--namespace",
      "docs",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^flow digest: entry start-digest; \d+ routers, 4 handler actors, 2 fan-in aggregators\n/,
    );
    expect(stdout).toMatch(/compiled 1 flow in \d+ ms -> /);
    for (const file of ["routers.js", "routers.d.ts", "graph.json", "flow.mmd"])
      expect(existsSync(join(out, file))).toBe(true);
    const graph = JSON.parse(readFileSync(join(out, "graph.json"), "utf8")) as {
      flow: string;
      entry: string;
    };
    expect(graph).toMatchObject({ flow: "digest", entry: "start-digest" });
    const manifests = readdirSync(join(out, "manifests"));
    expect(manifests).toContain("start-digest.yaml");
    // One multi-document file, as a user would pipe them: asya manifests render validates each.
    const all = join(out, "all.yaml");
    writeFileSync(all, manifests.map((m) => readFileSync(join(out, "manifests", m), "utf8")).join("---\n"));
    const rendered = await asya(["manifests", "render", all], out);
    expect(rendered.stderr).toBe("");
    expect(rendered.code).toBe(0);
    expect(rendered.stdout.match(/^kind: Deployment$/gm)?.length).toBe(manifests.length);
  });

  it("graph prints the Mermaid flowchart", async () => {
    const { code, stdout } = await asya(["flow", "graph", "try-catch.ts"]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe("flowchart TD");
    expect(stdout).toMatch(/\["notify-[0-9a-f]{6}"\]/);
  });

  it("a flow that does not compile: file:line:column, a hint, exit 1", async () => {
    const dir = tempDir();
    copyFileSync(join(FLOWS, "handlers.ts"), join(dir, "handlers.ts"));
    const source = [
      'import { flow } from "@asya/flow";',
      'import { type Doc, enrich } from "./handlers.js";',
      "export const bad = flow(async function bad(p: Doc): Promise<Doc> {",
      "  for (const tag of p.tags ?? []) p = await enrich(p);",
      "  return p;",
      "});",
    ].join("\n");
    writeFileSync(join(dir, "bad.ts"), source);
    const { code, stderr } = await asya(["flow", "compile", "bad.ts"], dir);
    expect(code).toBe(1);
    expect(stderr).toContain(`${join(dir, "bad.ts")}:4:3: a for loop over actors is not compiled`);
    expect(stderr).toContain("hint: write while (p.i < p.items.length)");
    expect(stderr).toMatch(/1 error: the flow did not compile\n$/);
  });

  it("TypeScript's strictness is the flow's project's (its tsconfig.json), else TypeScript's defaults", async () => {
    const dir = tempDir();
    copyFileSync(join(FLOWS, "handlers.ts"), join(dir, "handlers.ts"));
    const source = [
      'import { flow } from "@asya/flow";',
      'import { type Doc, enrich } from "./handlers.js";',
      "export const loose = flow(async function loose(p: Doc): Promise<Doc> {",
      "  while (p.seen < 3) p = await enrich(p);", // seen?: number: an error only under strictNullChecks
      "  return p;",
      "});",
    ].join("\n");
    writeFileSync(join(dir, "loose.ts"), source);
    expect((await asya(["flow", "graph", "loose.ts"], dir)).code).toBe(0);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
    const strict = await asya(["flow", "graph", "loose.ts"], dir);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("loose.ts:4:10: 'p.seen' is possibly 'undefined'.");
  });

  it("usage errors exit 2", async () => {
    expect((await asya(["flow"])).code).toBe(2);
    expect((await asya(["flow", "run", "triage.ts"])).code).toBe(2);
  });
});
