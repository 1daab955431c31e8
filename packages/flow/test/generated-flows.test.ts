// The differential property of FLOW.md: for random programs built from the supported constructs
// (generated/program.ts) and random inputs, running a flow directly (handlers as plain calls) and
// running its compiled routes (runFlow, memory transport) end the same way: the same final state
// (or both failing with the same error message) and the same sequence of handler calls.
//
// Then hand-written regressions: combinations that work and are easy to break, and the known
// mismatches (each pins today's wrong behaviour; when one starts failing, the bug may be fixed:
// turn it into an equivalence check and drop the generator's matching restriction).
import { runFlow } from "@asya/flow/run";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkEquivalent,
  createWorkDir,
  type Input,
  type Prepared,
  prepare,
  removeWorkDir,
  runCompiled,
  runDirect,
} from "./generated/harness.js";
import { HANDLERS_PRELUDE, handler, inputArb, programArb } from "./generated/program.js";

let workDir = "";
beforeAll(() => {
  workDir = createWorkDir();
});
afterAll(() => {
  removeWorkDir(workDir);
});

const PROGRAMS = Number(process.env.FLOW_GEN_PROGRAMS ?? 30);
const INPUTS = 5;

describe("generated flows", () => {
  it(`run the same directly and compiled (${PROGRAMS} programs x ${INPUTS} inputs)`, {
    timeout: 240_000,
  }, async () => {
    const stats = { programs: 0, runs: 0, succeeded: 0, failed: 0, calls: 0 };
    await fc.assert(
      fc.asyncProperty(
        // Shrinking recompiles and reruns each candidate (~0.5 s): bounded, so a failure is
        // reported (with the shrunk program's source) within the test's timeout.
        fc.limitShrink(programArb, 80),
        fc.array(inputArb, { minLength: INPUTS, maxLength: INPUTS }),
        async (program, inputs) => {
          const prepared = prepare(workDir, program.flowSource, program.handlersSource);
          const outcomes = await checkEquivalent(prepared, inputs as Input[]);
          stats.programs += 1;
          for (const outcome of outcomes) {
            stats.runs += 1;
            if (outcome.status !== "unfinished") stats[outcome.status] += 1;
            stats.calls += outcome.calls.length;
          }
        },
      ),
      {
        numRuns: PROGRAMS,
        // A seed to replay a failure: FLOW_GEN_SEED=<seed from the report>.
        ...(process.env.FLOW_GEN_SEED === undefined ? {} : { seed: Number(process.env.FLOW_GEN_SEED) }),
        interruptAfterTimeLimit: 200_000,
      },
    );
    if (process.env.FLOW_GEN_STATS !== undefined) console.log(stats);
    expect(stats.programs).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-written programs over fixed handlers.

const REGRESSION_HANDLERS = [
  HANDLERS_PRELUDE,
  `export interface S {
  n: number;
  k: number;
  tags?: string[];
  items?: number[];
  x?: number;
  ok?: boolean;
  out?: unknown[];
  pair?: S[];
  c0?: number;
  c1?: number;
  [key: string]: unknown;
}`,
  handler("h0", false, "p: S", "S", '  return { ...p, tags: [...(p.tags ?? []), "h0"] };'),
  handler("h1", true, "p: S", "S", "  return { ...p, n: (p.n * 3 + 1) % 1000 };"),
  handler(
    "hf",
    false,
    "p: S",
    "S",
    '  if (p.n % 2 === 1) throw new Error("hf refused n=" + p.n);\n  return { ...p, k: p.k + 1 };',
  ),
  handler("no", false, "p: S", "S", '  throw new Error("no");'),
  handler("noAsync", true, "p: S", "S", '  throw new Error("no async");'),
  handler("pa", false, "p: S", "S", "  return { n: p.n + 1, k: 0 };"),
  handler("pb", true, "p: S", "S", "  return { n: p.n + 2, k: 0 };"),
  handler("hItem", false, "i: number", "number", "  return i * 10;"),
  handler("badItem", true, "i: number", "number", '  if (i === 2) throw new Error("bad item");\n  return i;'),
].join("\n\n");

/** A flow file: `prelude` (inner flows), then `main` with `body`. */
function program(body: string, prelude = ""): Prepared {
  const source = [
    'import { flow, pause } from "@asya/flow";',
    'import { badItem, h0, h1, hf, hItem, no, noAsync, pa, pb, type S } from "./handlers.js";',
    "",
    prelude,
    "export const main = flow(async function main(p: S): Promise<S> {",
    body,
    "});",
    "",
  ].join("\n");
  return prepare(workDir, source, REGRESSION_HANDLERS);
}

const INPUTS_FIXED: readonly Input[] = [
  { n: 0, k: 0 },
  { n: 1, k: 2, items: [1, 2, 3] },
  { n: 4, k: 5, tags: ["a"], items: [] },
  { n: 7, k: -1, x: 3 },
];

describe("regressions: equivalent", { timeout: 30_000 }, () => {
  it("break and continue leave a loop through a finally that calls a handler", async () => {
    const prepared = program(`
  p.c0 = 0;
  while ((p.c0 ?? 0) < 4) {
    p.c0 = (p.c0 ?? 0) + 1;
    try {
      if (p.c0 === 2) continue;
      p = hf(p);
      if (p.k > 2) break;
      p = await h1(p);
    } catch {
      p.x = (p.x ?? 0) + 1;
    } finally {
      p = h0(p);
    }
  }
  return p;`);
    await checkEquivalent(prepared, INPUTS_FIXED);
  });

  it("throw in catch runs the finally, then fails; a nested catch's failure reaches the outer catch", async () => {
    await checkEquivalent(
      program(`
  try {
    p = no(p);
  } catch {
    p.x = 1;
    throw new Error("from catch");
  } finally {
    p = h0(p);
  }
  return p;`),
      INPUTS_FIXED,
    );
    await checkEquivalent(
      program(`
  try {
    try {
      p = no(p);
    } catch {
      p = await noAsync(p);
    } finally {
      p = h0(p);
    }
  } catch {
    p.x = 2;
  } finally {
    p = await h1(p);
  }
  return p;`),
      INPUTS_FIXED,
    );
  });

  it("a finally whose own try/catch caught a failure rethrows the try's error, not the caught one", async () => {
    // CI's generated flows found it: the rethrow read the runtime's last routed error, which
    // the nested try's failure had replaced.
    await checkEquivalent(
      program(`
  try {
    throw new Error("boom");
  } finally {
    try {
      p = no(p);
    } catch {
      p.x = 5;
    } finally {
      p = h0(p);
    }
  }
  return p;`),
      INPUTS_FIXED,
    );
    // Inside an outer try: the outer catch sees "boom" (and so does its own finally's rethrow).
    await checkEquivalent(
      program(`
  try {
    try {
      p = hf(p);
      throw new Error("boom");
    } catch {
      throw new Error("from catch");
    } finally {
      try {
        p = await noAsync(p);
      } catch {
        p = h0(p);
      }
    }
  } catch (error) {
    p.x = 1;
  } finally {
    try {
      p = no(p);
    } catch {
      p.k += 1;
    }
  }
  return p;`),
      INPUTS_FIXED,
    );
    const prepared = program(`
  try {
    throw new Error("boom");
  } finally {
    try {
      p = no(p);
    } catch {
      p.x = 5;
    }
  }
  return p;`);
    const outcome = await runCompiled(prepared, { n: 2, k: 0 });
    expect(outcome).toMatchObject({ status: "failed", error: "boom" });
  });

  it("throw in finally replaces the try's failure; try without catch rethrows after finally", async () => {
    await checkEquivalent(
      program(`
  try {
    p = no(p);
  } finally {
    p = h0(p);
    throw new Error("from finally");
  }
  return p;`),
      INPUTS_FIXED,
    );
    await checkEquivalent(
      program(`
  try {
    p = h0(p);
    p = hf(p);
  } finally {
    p.x = 9;
  }
  p = await h1(p);
  return p;`),
      INPUTS_FIXED,
    );
  });

  it("a loop left by a caught throw starts counting its iterations again when re-entered", async () => {
    // 5 entries x 31 iterations: over maxIterations (100) in total, not per entry.
    const prepared = program(`
  p.c0 = 0;
  while ((p.c0 ?? 0) < 5) {
    p.c0 = (p.c0 ?? 0) + 1;
    try {
      p.c1 = 0;
      while (true) {
        p.c1 = (p.c1 ?? 0) + 1;
        if ((p.c1 ?? 0) > 30) throw new Error("out");
      }
    } catch {
      p.x = (p.x ?? 0) + 1;
    }
  }
  return p;`);
    await checkEquivalent(prepared, INPUTS_FIXED.slice(0, 1));
  });

  it("fan-outs: no items, right after mutations, bare handler, tuple of distinct handlers in order", async () => {
    const prepared = program(`
  p.items = [];
  p.out = await Promise.all((p.items ?? []).map((i) => hItem(i)));
  p.x = p.out.length;
  p.items = [1, 2, 3];
  p.pair = await Promise.all([pb(p), pa(p)]);
  p.out = await Promise.all(p.items.map(hItem));
  if ((p.out ?? []).length === 3) {
    p.pair = await Promise.all([pa(p), pb(p)]);
  }
  return p;`);
    await checkEquivalent(prepared, INPUTS_FIXED);
  });

  it("a pause inside try keeps its answer on the catch path; pauses in a loop", async () => {
    const prepared = program(`
  try {
    p = await pause(p, { prompt: \`n is \${p.n}\`, fields: [{ name: "ok", type: "boolean" }] });
    p = hf(p);
  } catch {
    p.x = p.ok ? 1 : 0;
  }
  p.c0 = 0;
  while ((p.c0 ?? 0) < 3) {
    p.c0 = (p.c0 ?? 0) + 1;
    await pause(p, { prompt: "again?", fields: [{ name: "ok", type: "boolean" }] });
    if (p.ok) break;
  }
  return p;`);
    await checkEquivalent(prepared, INPUTS_FIXED);
  });

  it("runFlow hands answers the paused state (fixed in 592cf40)", async () => {
    const prepared = program(`
  p = await h1(p);
  p = await pause(p, { prompt: "ok?", fields: [{ name: "ok", type: "boolean" }] });
  return p;`);
    const states: unknown[] = [];
    const run = await runFlow({
      file: prepared.file,
      compiled: prepared.compiled,
      payload: { n: 3, k: 1 },
      answers: (_request, state) => {
        states.push(state);
        return { ok: true };
      },
    });
    expect(run.result).toEqual({ n: 10, k: 1, ok: true });
    expect(states).toEqual([{ n: 10, k: 1 }]);
  });

  it("inlined flows: another parameter name, early return, inlined twice, inside a loop", async () => {
    const prepared = program(
      `
  p = await inner(p);
  p = await inner(p);
  p.c0 = 0;
  while ((p.c0 ?? 0) < 3) {
    p.c0 = (p.c0 ?? 0) + 1;
    p = await outer(p);
  }
  return p;`,
      `export const inner = flow(async function inner(q: S): Promise<S> {
  q.k += 1;
  if (q.k > 3) return q;
  q = h0(q);
  return q;
});

export const outer = flow(async function outer(p: S): Promise<S> {
  p = await inner(p);
  if (p.n % 2 === 0) {
    p = await h1(p);
    return p;
  }
  p.n += 1;
  return p;
});
`,
    );
    await checkEquivalent(prepared, INPUTS_FIXED);
  });

  it("while (true) with continue before its break, nested loops, return from the inner one", async () => {
    const prepared = program(`
  p.c0 = 0;
  while (true) {
    p.c0 = (p.c0 ?? 0) + 1;
    if ((p.c0 ?? 0) > 4) break;
    if (p.c0 === 2) continue;
    p.c1 = 0;
    while ((p.c1 ?? 0) < 3 && p.n < 900) {
      p.c1 = (p.c1 ?? 0) + 1;
      p = await h1(p);
      if (p.n % 7 === 3) return p;
    }
    p = h0(p);
  }
  return p;`);
    await checkEquivalent(prepared, INPUTS_FIXED);
  });
});

// ---------------------------------------------------------------------------------------------
// Known mismatches: each test pins what happens today.

/** Both runs of `prepared` on `input`. */
async function both(prepared: Prepared, input: Input, maxHops?: number) {
  const direct = await runDirect(prepared, input);
  const compiled = await runCompiled(prepared, input, {
    timeoutMs: 1_500,
    ...(maxHops === undefined ? {} : { maxHops }),
  });
  return { direct, compiled };
}

describe("regressions: found by the generator, fixed", { timeout: 30_000 }, () => {
  it("a flow whose last statement is a throw, or a while (true) left by return, compiles and fails or returns alike", async () => {
    for (const body of [
      '  p = h0(p);\n  throw new Error("boom");',
      "  p.c0 = 0;\n  while (true) {\n    p.c0 = (p.c0 ?? 0) + 1;\n    if ((p.c0 ?? 0) > 2) return p;\n  }",
    ]) {
      await checkEquivalent(program(body), INPUTS_FIXED);
    }
  });

  it("return inside try whose finally replaces the state is a compile error (the function would return the older state)", () => {
    expect(() => program("  try {\n    return p;\n  } finally {\n    p = h0(p);\n  }")).toThrow(
      /return inside try whose finally replaces the state/,
    );
  });

  it("a failing fan-out item fails the run at once, like Promise.all; a fan-out in a flow inlined inside try is refused", async () => {
    const outside = program(
      "  p.out = await Promise.all((p.items ?? []).map((i) => badItem(i)));\n  return p;",
    );
    const { direct, compiled } = await both(outside, { n: 0, k: 0, items: [1, 2, 3] });
    expect(direct).toMatchObject({ status: "failed", error: "bad item" });
    expect(compiled).toMatchObject({ status: "failed", error: "bad item" });
    expect(() =>
      program(
        "  try {\n    p = await fan(p);\n  } catch {\n    p.x = 1;\n  }\n  return p;",
        `export const fan = flow(async function fan(q: S): Promise<S> {
  q.out = await Promise.all((q.items ?? []).map((i) => badItem(i)));
  return q;
});
`,
      ),
    ).toThrow(/a fan-out inside try is not compiled/);
  });

  it("a loop left by return inside an inlined flow counts from zero when entered again", async () => {
    const prepared = program(
      "  p.c0 = 0;\n  while ((p.c0 ?? 0) < 5) {\n    p.c0 = (p.c0 ?? 0) + 1;\n    p = await inner(p);\n  }\n  return p;",
      `export const inner = flow(async function inner(q: S): Promise<S> {
  q.c1 = 0;
  while (true) {
    q.c1 = (q.c1 ?? 0) + 1;
    if ((q.c1 ?? 0) > 30) return q;
  }
});
`,
    );
    const { direct, compiled } = await both(prepared, { n: 0, k: 0 });
    expect(direct).toMatchObject({ status: "succeeded", result: { c0: 5, c1: 31 } });
    expect(compiled).toEqual(direct);
  });

  it("a handler failing in catch still runs the finally, then fails", async () => {
    const { direct, compiled } = await both(
      program(
        "  try {\n    p = no(p);\n  } catch {\n    p = no(p);\n  } finally {\n    p = h0(p);\n  }\n  return p;",
      ),
      { n: 0, k: 0 },
    );
    expect(direct).toEqual({ status: "failed", error: "no", calls: ["no", "no", "h0"] });
    expect(compiled).toEqual(direct);
  });

  it("a try inside finally: each copy of the finally has its own catch path", async () => {
    const { direct, compiled } = await both(
      program(
        "  try {\n    p = no(p);\n  } finally {\n    try {\n      p = no(p);\n    } catch {\n      p.x = 1;\n    }\n  }\n  return p;",
      ),
      { n: 0, k: 0 },
    );
    expect(direct).toEqual({ status: "failed", error: "no", calls: ["no", "no"] });
    expect(compiled).toEqual(direct);
  });

  it("two textually equal try statements, or a flow with try inlined twice, get actors of their own", async () => {
    const twice = program(
      "  try {\n    p = no(p);\n  } catch {\n    p.x = 1;\n  }\n  p = h0(p);\n  try {\n    p = no(p);\n  } catch {\n    p.x = 1;\n  }\n  return p;",
    );
    const inlined = program(
      "  p = await inner(p);\n  p = h0(p);\n  p = await inner(p);\n  return p;",
      `export const inner = flow(async function inner(q: S): Promise<S> {
  try {
    q = no(q);
  } catch {
    q.x = 1;
  }
  return q;
});
`,
    );
    for (const prepared of [twice, inlined]) {
      const actors = prepared.compiled.flows
        .find((f) => f.name === "main")
        ?.actors.filter((a) => a.handler?.exportName === "no");
      expect(actors).toHaveLength(2);
      const { direct, compiled } = await both(prepared, { n: 0, k: 0 }, 2_000);
      expect(direct).toEqual({
        status: "succeeded",
        result: { n: 0, k: 0, x: 1, tags: ["h0"] },
        calls: ["no", "h0", "no"],
      });
      expect(compiled).toEqual(direct);
    }
  });

  it("an un-awaited handler call returned inside try is a compile error (its failure would escape the catch)", () => {
    expect(() =>
      program("  try {\n    return noAsync(p);\n  } catch {\n    p.x = 1;\n  }\n  return p;"),
    ).toThrow(/inside try, a returned handler call must be awaited/);
  });
});

describe("regressions: known differences (documented in @asya/flow's README)", { timeout: 30_000 }, () => {
  it("an inlined flow failing inside the caller's try: the catch sees another state", async () => {
    const prepared = program(
      "  try {\n    p = await inner(p);\n  } catch {\n    p.x = 1;\n  }\n  return p;",
      `export const inner = flow(async function inner(q: S): Promise<S> {
  q.k = 50;
  q = h0(q);
  q.k = 60;
  q = no(q);
  return q;
});
`,
    );
    const { direct, compiled } = await both(prepared, { n: 0, k: 0 });
    // Direct: the caller's p is the object from before inner's first handler call.
    expect(direct.result).toEqual({ n: 0, k: 50, x: 1 });
    expect(compiled.result).toEqual({ n: 0, k: 60, tags: ["h0"], x: 1 });
  });

  it("await pause({ ... }) without the state: compiled merges the answer into p, direct does not", async () => {
    // FLOW.md documents this form ("the input is merged into p"); pause.ts says a direct call
    // only returns the answer.
    const { direct, compiled } = await both(
      program('  await pause({ prompt: "ok?", fields: [{ name: "ok", type: "boolean" }] });\n  return p;'),
      { n: 0, k: 0 },
    );
    expect(direct).toEqual({ status: "succeeded", result: { n: 0, k: 0 }, calls: [] });
    expect(compiled).toEqual({ status: "succeeded", result: { n: 0, k: 0, ok: false }, calls: [] });
  });

  it("the same handler twice in one tuple fan-out is called in another order compiled", async () => {
    const { direct, compiled } = await both(
      program("  p.pair = await Promise.all([pa(p), pa(p), pb(p)]);\n  return p;"),
      { n: 0, k: 0 },
    );
    expect(compiled.result).toEqual(direct.result);
    expect(direct.calls).toEqual(["pa", "pa", "pb"]);
    expect(compiled.calls).toEqual(["pa", "pb", "pa"]); // the second pa slice queues behind the first
  });
});
