import { afterAll, beforeAll, it } from "vitest";
import { createWorkDir, prepare, removeWorkDir, runCompiled, runDirect } from "./generated/harness.js";
import { renderProgram } from "./generated/program.js";

let workDir = "";
beforeAll(() => {
  workDir = createWorkDir();
});
afterAll(() => {
  removeWorkDir(workDir);
});

const HANDLERS = renderProgram({
  handlers: [
    { async: false, effects: [{ t: "tag" }] },
    { async: true, effects: [{ t: "tag" }] },
  ],
  fail: { async: false, m: 2, r: 0 },
  itemAsync: false,
  inner: [],
  main: { body: [], end: null },
}).handlersSource;

const flowOf = (body: string) => `import { flow, pause } from "@asya/flow";
import { h0, h1, hf, pa, pb, hItem, hObj, type S } from "./handlers.js";
${process.env.PROBE_IMPORTS ?? ""}
${process.env.PROBE_PRELUDE ?? ""}
export const main = flow(async function main(p: S): Promise<S> {
${body}
  return p;
});
`;

it("probe", async () => {
  const bodies = (process.env.PROBE ?? "").split("|||");
  for (const body of bodies) {
    const prepared = prepare(workDir, flowOf(body), HANDLERS + (process.env.PROBE_HANDLERS ?? ""));
    const seen = new Map<string, number>();
    for (let i = 0; i < Number(process.env.PROBE_N ?? 10); i++) {
      const input = { n: i * 37, k: i % 5, items: [1, 2, 3], tags: [] };
      const d = await runDirect(prepared, input);
      const c = await runCompiled(prepared, input);
      const same = JSON.stringify(d) === JSON.stringify(c);
      const key = process.env.PROBE_FULL
        ? `direct ${d.status} ${d.error ?? ""} ${d.calls.join(" ")} ${JSON.stringify(d.result)}\n   compiled ${c.status} ${c.error ?? ""} ${c.calls.join(" ")} ${JSON.stringify(c.result)}`
        : `${same ? "SAME" : "DIFF"} direct [${d.status} ${d.calls.join(" ")}] compiled [${c.status} ${c.calls.join(" ")}]`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    console.log(`=== ${body}`);
    for (const [k, v] of seen) console.log(v, k);
  }
}, 300_000);
