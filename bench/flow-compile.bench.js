// Scenario 10: how long `asya flow compile` takes for a 200-line flow, next to what TypeScript 5.9
// itself takes to type-check the same file (the floor: the compiler type-checks, then lowers).
//   node bench/flow-compile.bench.js [--rounds N] [--keep] [--write]   (--keep: leave the generated flow in the temp dir)

import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { machineLine } from "./lib/machine.js";
import { median } from "./lib/stats.js";

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf("--rounds") + 1]) || 7;
const dir = join(tmpdir(), `asya-flow-bench-${process.pid}`);
const flowPackage = join(process.cwd(), "packages/flow");

const HANDLERS = `export interface S { n: number; tags: string[]; items: number[]; out?: number[]; pair?: S[]; ok?: boolean; [k: string]: unknown }
${Array.from({ length: 12 }, (_, i) => `export function h${i}(s: S): S { return { ...s, n: (s.n * 3 + ${i}) % 1000, tags: [...s.tags, "h${i}"] }; }`).join("\n")}
export function square(i: number): number { return i * i; }
`;

/** A flow of about 200 lines mixing every construct. */
function flowSource() {
  const lines = [
    'import { flow, pause } from "@asya/flow";',
    `import { ${Array.from({ length: 12 }, (_, i) => `h${i}`).join(", ")}, square, type S } from "./handlers.js";`,
    "",
    "export const big = flow(async function big(p: S): Promise<S> {",
  ];
  for (let block = 0; block < 8; block++) {
    const h = (k) => `h${(block * 3 + k) % 12}`;
    lines.push(
      `  p = await ${h(0)}(p);`,
      `  p.step${block} = p.n % 7;`,
      `  if (p.n % 3 === ${block % 3}) {`,
      `    p = await ${h(1)}(p);`,
      `  } else if (p.n % 5 === 1) {`,
      `    p = await ${h(2)}(p);`,
      "    p.tags = [...p.tags, 'five'];",
      "  } else {",
      `    p.n = p.n + ${block};`,
      "  }",
      `  p.i${block} = 0;`,
      `  while ((p.i${block} as number) < 3) {`,
      `    p.i${block} = (p.i${block} as number) + 1;`,
      `    if (p.n % 11 === 0) continue;`,
      `    p = await ${h(1)}(p);`,
      "    if (p.n > 990) break;",
      "  }",
      "  try {",
      `    p = await ${h(2)}(p);`,
      `    p.tried${block} = true;`,
      "  } catch {",
      `    p.caught${block} = true;`,
      "  } finally {",
      `    p = await ${h(0)}(p);`,
      "  }",
    );
    if (block % 2 === 0) lines.push("  p.out = await Promise.all(p.items.map((i) => square(i)));");
    else lines.push(`  if (p.n % 13 === 0) return p;`);
  }
  lines.push(
    "  p = await pause(p, { prompt: 'ok?', fields: [{ name: 'ok', type: 'boolean' }] });",
    "  return p;",
    "});",
    "",
  );
  return lines.join("\n");
}

/** One fresh Node process: load TypeScript, then time what is asked. */
function cold(kind, file) {
  const script = `
    const t0 = performance.now();
    const { createRequire } = await import("node:module");
    const require = createRequire(${JSON.stringify(join(flowPackage, "package.json"))});
    const ts = require("typescript5");
    const t1 = performance.now();
    let t2;
    if (${JSON.stringify(kind)} === "compile") {
      const { compileFlowFile } = await import(${JSON.stringify(join(flowPackage, "dist/compiler/index.js"))});
      const t = performance.now();
      compileFlowFile(${JSON.stringify(file)});
      t2 = performance.now() - t;
    } else {
      const t = performance.now();
      const program = ts.createProgram([${JSON.stringify(file)}], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, strict: true, noEmit: true, skipLibCheck: true, lib: ["lib.es2023.d.ts"], types: [], paths: { "@asya/flow": [${JSON.stringify(join(flowPackage, "dist/index.d.ts"))}] } });
      ts.getPreEmitDiagnostics(program);
      t2 = performance.now() - t;
    }
    console.log(JSON.stringify({ load: t1 - t0, work: t2 }));
  `;
  const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return JSON.parse(output);
}

async function main() {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "big.ts");
  const source = flowSource();
  writeFileSync(join(dir, "handlers.ts"), HANDLERS);
  writeFileSync(file, source);
  const lineCount = source.split("\n").length;
  try {
    const compile = [];
    const check = [];
    for (let round = 0; round < rounds; round++) {
      // Interleaved, alternating which goes first.
      const pair = round % 2 === 0 ? ["compile", "check"] : ["check", "compile"];
      for (const kind of pair) (kind === "compile" ? compile : check).push(cold(kind, file));
    }
    const { compileFlowFile } = await import(join(flowPackage, "dist/compiler/index.js"));
    compileFlowFile(file);
    const warm = [];
    let units = 0;
    for (let round = 0; round < rounds; round++) {
      const t = performance.now();
      const compiled = compileFlowFile(file);
      warm.push(performance.now() - t);
      units = compiled.flows[0].actors.length;
    }
    const ms = (v) => `${Math.round(v)} ms`;
    const cCompile = median(compile.map((r) => r.work));
    const cCheck = median(check.map((r) => r.work));
    const load = median([...compile, ...check].map((r) => r.load));
    console.log(`### Scenario 10 — compiling a 200-line flow (\`asya flow compile\`)

A generated flow of ${lineCount} lines (8 blocks of call, if / else if / else, a while loop with continue and break, try / catch / finally, a fan-out or an early return; one pause) compiled into ${units} actors and routers. Baseline: TypeScript 5.9 type-checking the same file (createProgram + getPreEmitDiagnostics, same options), the floor under a compiler that type-checks. Each cold figure is a fresh Node process (${rounds} interleaved rounds, median); loading TypeScript itself is reported apart.

Command: \`node bench/flow-compile.bench.js${args.includes("--write") ? " --write" : ""}\` — ${new Date().toISOString()}  
${machineLine()}

| measurement | @asya/flow compile | TypeScript type check (baseline) | ratio (ours/baseline) |
|---|---:|---:|---:|
| cold process (first compile) | ${ms(cCompile)} | ${ms(cCheck)} | ${(cCompile / cCheck).toFixed(2)} |
| warm (same process, repeated) | ${ms(median(warm))} | — | — |
| loading typescript5 (once per process) | ${ms(load)} | (same) | — |

Requirement: a 200-line flow compiles in under 1 s: cold ${ms(cCompile)}, warm ${ms(median(warm))}. With Node's start and TypeScript's load, \`asya flow compile\` takes about ${ms(cCompile + load + 150)} of wall time.
`);
  } finally {
    if (args.includes("--keep")) console.error(`flow kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
