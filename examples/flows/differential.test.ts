// Every example flow, called directly and run compiled (runFlow: memory transport, all actors),
// gives the same final state and the same handler calls, for random documents.
import { fileURLToPath } from "node:url";
import { setPauseResponder } from "@asya/flow";
import { type CompiledFlows, compileFlowFile } from "@asya/flow/compiler";
import { runFlow } from "@asya/flow/run";
import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { digest } from "./fan-out.js";
import { pipeline } from "./inline.js";
import { refine } from "./loop.js";
import { approve } from "./pause.js";
import { triage } from "./triage.js";
import { deliver } from "./try-catch.js";

const calls: string[] = vi.hoisted(() => []);

// The direct run's handler calls, recorded by wrapping every handler (the flows import these).
vi.mock("./handlers.js", async (importOriginal) => {
  const { recordCalls } = await import("./record-calls.js");
  return recordCalls(await importOriginal<Record<string, unknown>>(), calls);
});

const word = fc.stringMatching(/^[a-z]{1,7}$/);
const doc = fc.record(
  {
    text: fc.array(word, { minLength: 1, maxLength: 6 }).map((words) => words.join(" ")),
    fail: fc.boolean(),
    seen: fc.integer({ min: 0, max: 4 }),
    tags: fc.array(fc.constantFrom("a", "b"), { maxLength: 3 }),
  },
  { requiredKeys: ["text"] },
);
const answer = fc.record({ approved: fc.boolean(), editor: word });

type Flow = (state: never) => Promise<unknown>;
const EXAMPLES: ReadonlyArray<readonly [string, Flow]> = [
  ["triage.ts", triage as Flow],
  ["loop.ts", refine as Flow],
  ["fan-out.ts", digest as Flow],
  ["try-catch.ts", deliver as Flow],
  ["pause.ts", approve as Flow],
  ["inline.ts", pipeline as Flow],
];

async function direct(
  fn: Flow,
  payload: unknown,
): Promise<{ status: string; value: unknown; calls: string[] }> {
  calls.length = 0;
  try {
    const value = await fn(structuredClone(payload) as never);
    return { status: "succeeded", value: JSON.parse(JSON.stringify(value)), calls: [...calls] };
  } catch (error) {
    return { status: "failed", value: (error as Error).message, calls: [...calls] };
  }
}

afterEach(() => setPauseResponder(undefined));

describe("example flows: direct call == compiled routes", () => {
  for (const [file, fn] of EXAMPLES) {
    describe(file, () => {
      let compiled: CompiledFlows;
      beforeAll(() => {
        compiled = compileFlowFile(fileURLToPath(new URL(`./${file}`, import.meta.url)));
      }, 60_000);
      it("for random documents (and answers)", { timeout: 120_000 }, async () => {
        await fc.assert(
          fc.asyncProperty(doc, answer, async (payload, reply) => {
            setPauseResponder(() => reply);
            const expected = await direct(fn, payload);
            const run = await runFlow({ file: compiled.file, compiled, payload, answers: [reply] });
            expect({ status: run.status, calls: run.calls }).toEqual({
              status: expected.status,
              calls: expected.calls,
            });
            if (expected.status === "succeeded") expect(run.result).toEqual(expected.value);
            else expect(JSON.stringify(run.error)).toContain(String(expected.value));
          }),
          { numRuns: 25 },
        );
      });
    });
  }
});
