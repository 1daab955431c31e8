import { writeFileSync } from "node:fs";
import { compileFlowFile, type FlowCompileError } from "@asya/flow/compiler";
import { describe, expect, it } from "vitest";
import { flowSource, writeFlow } from "./helpers.js";

interface Case {
  readonly name: string;
  readonly body: string;
  readonly prelude?: string;
  /** Line within the body (1-based) where the error is reported. */
  readonly line: number;
  readonly message: string;
  readonly hint?: string;
}

const CASES: readonly Case[] = [
  {
    name: "a for loop over actors",
    body: "  for (const x of p.items ?? []) {\n    p = await inc(p);\n  }\n  return p;",
    line: 1,
    message: "a for loop over actors is not compiled",
    hint: "write while (p.i < p.items.length)",
  },
  {
    name: "a closure over an outer variable",
    prelude: "const limit = 3;",
    body: "  if (p.n > limit) p = await inc(p);\n  return p;",
    line: 1,
    message: "limit is not the state: router code runs in its own process and can only read p",
    hint: "put the value in the state first",
  },
  {
    name: "a call nested in an argument",
    body: "  p = await inc(await dbl(p));\n  return p;",
    line: 1,
    message: "a handler is called with the state and nothing else (calls nested in arguments are not actors)",
    hint: "write p = await inc(p)",
  },
  {
    name: "a handler called with something other than the state",
    body: "  p = await pick(p, 3);\n  return p;",
    line: 1,
    message: "a handler is called with the state and nothing else",
  },
  {
    name: "a local variable",
    body: "  const n = p.n + 1;\n  p.n = n;\n  return p;",
    line: 1,
    message: "a local variable does not survive from one actor to the next",
    hint: "keep the value in the state: p.n = ...",
  },
  {
    name: "a handler's result dropped",
    body: "  await inc(p);\n  return p;",
    line: 1,
    message: "a handler's result must become the state",
    hint: "write p = await inc(p)",
  },
  {
    name: "a result assigned to part of the state",
    body: "  p.n = await toNumber(p);\n  return p;",
    line: 1,
    message: "a handler's result replaces the state; it cannot be assigned to a part of it",
  },
  {
    name: "while (true) without a way out",
    body: "  while (true) {\n    p = await inc(p);\n  }",
    line: 1,
    message: "while (true) needs a break (or a return or throw) in its body",
  },
  {
    name: "Date in a condition",
    body: "  if (Date.now() > 0) p = await inc(p);\n  return p;",
    line: 1,
    message: "Date makes a router nondeterministic",
    hint: "compute it in a handler",
  },
  {
    name: "Math.random in router code",
    body: "  p.n = Math.random();\n  return p;",
    line: 1,
    message: "Math.random makes a router nondeterministic",
  },
  {
    name: "a handler that returns something else",
    body: "  p = await toNumber(p);\n  return p;",
    line: 1,
    message: "handler toNumber returns number, not the state type S",
    hint: "make toNumber return the state",
  },
  {
    name: "a fan-out inside try",
    body: "  try {\n    p.out = await Promise.all((p.items ?? []).map((i) => square(i)));\n  } catch {}\n  return p;",
    line: 2,
    message: "a fan-out inside try is not compiled",
  },
  {
    name: "the caught error used",
    body: "  try {\n    p = await fails(p);\n  } catch (error) {\n    p.tag = String(error);\n  }\n  return p;",
    line: 3,
    message: "the caught error is not available to a compiled flow",
    hint: "write catch { ... }",
  },
  {
    name: "do ... while over actors",
    body: "  do {\n    p = await inc(p);\n  } while (p.n < 3);\n  return p;",
    line: 1,
    message: "do ... while over actors is not compiled",
    hint: "write while (true) { ...; if (!(condition)) break; }",
  },
  {
    name: "a switch over actors",
    body: "  switch (p.n) {\n    case 1:\n      p = await inc(p);\n  }\n  return p;",
    line: 1,
    message: "a switch over actors is not compiled",
    hint: "write if / else if / else",
  },
  {
    name: "break inside finally",
    body: "  while (p.n < 3) {\n    try {\n      p = await inc(p);\n    } finally {\n      break;\n    }\n  }\n  return p;",
    line: 5,
    message: "break inside finally is not compiled",
  },
  {
    name: "a type error in router code (TypeScript's own diagnostic)",
    body: '  p.n = "three";\n  return p;',
    line: 1,
    message: "Type 'string' is not assignable to type 'number'.",
  },
  {
    name: "a labeled break",
    body: "  outer: while (p.n < 3) {\n    p = await inc(p);\n    break outer;\n  }\n  return p;",
    line: 1,
    message: "labeled statements are not compiled",
  },
];

/** Line of the body's first statement in {@link flowSource} output. */
const BODY_LINE = 5;

function compileError(file: string): FlowCompileError {
  try {
    compileFlowFile(file);
  } catch (error) {
    return error as FlowCompileError;
  }
  throw new Error("the flow compiled");
}

describe("compile errors: file:line:column, what is wrong, what to write instead", {
  timeout: 30_000,
}, () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const file = writeFlow(flowSource(testCase.body, testCase.prelude ?? ""));
      const error = compileError(file);
      expect(error.code).toBe("FLOW_COMPILE_ERROR");
      expect(error.retryable).toBe(false);
      const diagnostic = error.diagnostics.find((d) => d.message.includes(testCase.message));
      expect(diagnostic, error.message).toBeDefined();
      expect(diagnostic?.file).toBe(file);
      expect(diagnostic?.line).toBe(BODY_LINE + testCase.line - 1);
      expect(diagnostic?.column).toBeGreaterThan(0);
      if (testCase.hint !== undefined) expect(diagnostic?.hint).toContain(testCase.hint);
      expect(error.message).toContain(
        `${file}:${diagnostic?.line}:${diagnostic?.column}: ${diagnostic?.message}`,
      );
    });
  }

  it("a flow that can end without returning its state", () => {
    const source = [
      'import { flow } from "@asya/flow";',
      'import { inc, type S } from "./handlers.js";',
      "export const f = flow(async function f(p: S) {",
      "  if (p.n > 1) return p;",
      "  p = await inc(p);",
      "});",
    ].join("\n");
    const error = compileError(writeFlow(source));
    const diagnostic = error.diagnostics.find((d) =>
      d.message.includes("can reach its end without returning the state"),
    );
    expect(diagnostic?.line).toBe(6);
    expect(diagnostic?.hint).toBe("end every path with return p;");
  });

  it("a flow calling itself", () => {
    const source = [
      'import { flow } from "@asya/flow";',
      'import { inc, type S } from "./handlers.js";',
      "export const f = flow(async function f(p: S): Promise<S> {",
      "  p = await inc(p);",
      "  if (p.n < 3) p = await f(p);",
      "  return p;",
      "});",
    ].join("\n");
    const error = compileError(writeFlow(source));
    expect(error.diagnostics.map((d) => d.message)).toContain(
      "flow f calls itself: flows are inlined, so recursion cannot compile",
    );
  });

  it("a destructured state", () => {
    const source = [
      'import { flow } from "@asya/flow";',
      'import type { S } from "./handlers.js";',
      "export const f = flow(async function f({ n }: S): Promise<S> {",
      "  return { n };",
      "});",
    ].join("\n");
    const error = compileError(writeFlow(source));
    expect(error.diagnostics[0]?.message).toBe(
      "a flow takes exactly one parameter, the state, by name (no destructuring)",
    );
  });

  it("a file without a flow", () => {
    const error = compileError(writeFlow("export const x = 1;\n"));
    expect(error.diagnostics[0]).toMatchObject({ line: 1, column: 1, message: "no flow in this file" });
  });

  it("reports every problem of a file at once", () => {
    const body = "  const n = 1;\n  await inc(p);\n  for (;;) { p = await inc(p); }\n  return p;";
    const error = compileError(writeFlow(flowSource(body)));
    expect(error.diagnostics.length).toBeGreaterThanOrEqual(3);
    expect(error.message.split("\n").filter((line) => /:\d+:\d+: /.test(line)).length).toBe(
      error.diagnostics.length,
    );
  });

  it("two handlers under one actor name", () => {
    const handlers = "export function step(s: { n: number }) { return s; }\n";
    const dir = writeFlow("", handlers).replace(/flow\.ts$/, "");
    const other = `${dir}other.ts`;
    // a second module with a handler of the same name
    writeFileSync(other, handlers);
    const source = [
      'import { flow } from "@asya/flow";',
      'import { step } from "./handlers.js";',
      'import { step as step2 } from "./other.js";',
      "export const f = flow(async function f(p: { n: number }) {",
      "  p = await step(p);",
      "  p = await step2(p);",
      "  return p;",
      "});",
    ].join("\n");
    writeFileSync(`${dir}flow.ts`, source);
    const error = compileError(`${dir}flow.ts`);
    expect(error.diagnostics[0]?.message).toMatch(/^actor step would run two handlers/);
    expect(error.diagnostics[0]?.hint).toContain("// @asya actor=<name>");
  });
});
