import fc from "fast-check";
import { it } from "vitest";
import { programArb } from "./generated/program.js";

it("sample", () => {
  const progs = fc.sample(programArb, { numRuns: 200, seed: 42 });
  const lines = progs.map((p) => p.flowSource.split("\n").length - 14);
  lines.sort((a, b) => a - b);
  console.log("main+inner lines: median", lines[100], "p10", lines[20], "p90", lines[180], "max", lines[199]);
  const calls = progs.map((p) => (p.flowSource.match(/= (await )?h[0-9f]\(/g) ?? []).length);
  calls.sort((a, b) => a - b);
  console.log("static calls: median", calls[100], "p90", calls[180]);
  if (process.env.SHOW) console.log(progs[Number(process.env.SHOW)]?.flowSource);
});
