// Constructs run compiled (runFlow on the memory transport) next to the same flow called directly.
import { pathToFileURL } from "node:url";
import { setPauseResponder } from "@asya/flow";
import { runFlow } from "@asya/flow/run";
import { afterEach, describe, expect, it } from "vitest";
import { flowSource, writeFlow } from "./helpers.js";

afterEach(() => setPauseResponder(undefined));

async function both(body: string, payload: unknown, prelude = "") {
  const file = writeFlow(flowSource(body, prelude));
  const module = (await import(pathToFileURL(file).href)) as { f: (p: unknown) => Promise<unknown> };
  let direct: { status: string; value: unknown };
  try {
    direct = { status: "succeeded", value: await module.f(structuredClone(payload)) };
  } catch (error) {
    direct = { status: "failed", value: (error as Error).message };
  }
  const run = await runFlow({ file, payload, answers: () => ({ ok: true }) });
  return { direct, run };
}

describe("compiled flows behave like the function", { timeout: 30_000 }, () => {
  it("p = h(p) without await, return of an expression", async () => {
    const { direct, run } = await both("  p = inc(p);\n  return { ...p, tag: 'done' };", { n: 1 });
    expect(run.result).toEqual({ n: 2, tag: "done" });
    expect(run.result).toEqual(direct.value);
  });

  it("a namespace import of handlers", async () => {
    const { direct, run } = await both(
      "  p = await h.dbl(p);\n  return p;",
      { n: 3 },
      'import * as h from "./handlers.js";',
    );
    expect(run.result).toEqual({ n: 6 });
    expect(run.calls).toEqual(["dbl"]);
    expect(direct.value).toEqual(run.result);
  });

  it("try without catch: finally runs, then the flow fails with the handler's error", async () => {
    const body = "  try {\n    p = await fails(p);\n  } finally {\n    p = await dbl(p);\n  }\n  return p;";
    const { direct, run } = await both(body, { n: 5 });
    expect(direct).toEqual({ status: "failed", value: "too big" });
    expect(run.status).toBe("failed");
    expect(run.calls).toEqual(["fails", "dbl"]);
    expect(JSON.stringify(run.error)).toContain("too big");
  });

  it("throw in catch ends the flow failed after finally", async () => {
    const body = [
      "  try {",
      "    p = await fails(p);",
      "  } catch {",
      '    throw new Error("gave up on " + p.n);',
      "  } finally {",
      "    p = await inc(p);",
      "  }",
      "  return p;",
    ].join("\n");
    const { direct, run } = await both(body, { n: 7 });
    expect(direct).toEqual({ status: "failed", value: "gave up on 7" });
    expect(run.status).toBe("failed");
    expect(run.calls).toEqual(["fails", "inc"]);
    expect(JSON.stringify(run.error)).toContain("gave up on 7");
  });

  it("nested try: the inner catch rethrows to the outer one", async () => {
    const body = [
      "  try {",
      "    try {",
      "      p = await fails(p);",
      "    } catch {",
      "      p.tag = 'inner';",
      "      throw new Error('again');",
      "    }",
      "  } catch {",
      "    p.tag = p.tag + '+outer';",
      "  }",
      "  return p;",
    ].join("\n");
    const { direct, run } = await both(body, { n: 9 });
    expect(direct.value).toEqual({ n: 9, tag: "inner+outer" });
    expect(run.result).toEqual(direct.value);
  });

  it("a fan-out over an empty list joins at once", async () => {
    const body = "  p.out = await Promise.all((p.items ?? []).map((i) => square(i)));\n  return p;";
    const { direct, run } = await both(body, { n: 1, items: [] });
    expect(run.result).toEqual({ n: 1, items: [], out: [] });
    expect(run.result).toEqual(direct.value);
  });

  it("a fan-out keeps item order", async () => {
    const body = "  p.out = await Promise.all((p.items ?? []).map(square));\n  return p;";
    const items = Array.from({ length: 25 }, (_, i) => 25 - i);
    const { direct, run } = await both(body, { n: 1, items });
    expect((run.result as { out: number[] }).out).toEqual(items.map((i) => i * i));
    expect(run.result).toEqual(direct.value);
  });

  it("a loop inside a loop resets its guard on every entry", async () => {
    const body = [
      "  p.i = 0;",
      "  while ((p.i as number) < 30) {",
      "    p.j = 0;",
      "    while ((p.j as number) < 4) {",
      "      p.j = (p.j as number) + 1;",
      "      p = await inc(p);",
      "    }",
      "    p.i = (p.i as number) + 1;",
      "  }",
      "  return p;",
    ].join("\n");
    const { direct, run } = await both(body, { n: 0 }, "");
    expect(run.status).toBe("succeeded");
    expect((run.result as { n: number }).n).toBe(120);
    expect(run.result).toEqual(direct.value);
  });

  it("a runaway loop ends failed at maxIterations", async () => {
    const source = [
      'import { flow } from "@asya/flow";',
      'import { inc, type S } from "./handlers.js";',
      "export const f = flow(",
      "  async function f(p: S): Promise<S> {",
      "    while (p.n > 0) p = await inc(p);",
      "    return p;",
      "  },",
      "  { maxIterations: 5 },",
      ");",
    ].join("\n");
    const run = await runFlow({ file: writeFlow(source), payload: { n: 1 } });
    expect(run.status).toBe("failed");
    expect(run.calls).toHaveLength(5);
    expect(JSON.stringify(run.error)).toContain("ran more than 5 iterations");
  });

  it("pause in both forms: the answer is merged into the state", async () => {
    const body = [
      "  p = await pause(p, { prompt: 'first?', fields: [{ name: 'ok', type: 'boolean' }] });",
      "  p = await inc(p);",
      "  await pause({ prompt: 'second?' });",
      "  return p;",
    ].join("\n");
    const file = writeFlow(flowSource(body));
    const prompts: string[] = [];
    const states: unknown[] = [];
    const run = await runFlow({
      file,
      payload: { n: 1 },
      answers: (request, state) => {
        prompts.push(request.prompt);
        states.push(state);
        return prompts.length === 1 ? { ok: true } : { tag: "second" };
      },
    });
    expect(prompts).toEqual(["first?", "second?"]);
    expect(states).toEqual([{ n: 1 }, { n: 2, ok: true }]); // the state as it paused
    expect(run.result).toEqual({ n: 2, ok: true, tag: "second" });
    const module = (await import(pathToFileURL(file).href)) as { f: (p: unknown) => Promise<unknown> };
    setPauseResponder(() => ({ ok: true }));
    expect(await module.f({ n: 1 })).toEqual({ n: 2, ok: true });
  });

  it("an unanswered pause is a clear error", async () => {
    const file = writeFlow(flowSource("  p = await pause(p, { prompt: 'anyone?' });\n  return p;"));
    await expect(runFlow({ file, payload: { n: 1 } })).rejects.toMatchObject({
      code: "FLOW_RUN_PAUSE_UNANSWERED",
      message: expect.stringContaining('the flow paused ("anyone?")'),
    });
  });

  it("pause() outside a compiled flow without a responder says what to do", async () => {
    const { pause } = await import("@asya/flow");
    await expect(pause({ n: 1 }, { prompt: "?" })).rejects.toThrow(/setPauseResponder/);
  });
});
