import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

/** Handlers the test flows import from "./handlers.js". */
export const HANDLERS = `
export interface S { n: number; items?: number[]; out?: number[]; tag?: string; [key: string]: unknown }
export function inc(s: S): S { return { ...s, n: s.n + 1 }; }
export async function dbl(s: S): Promise<S> { return { ...s, n: s.n * 2 }; }
export function fails(s: S): S { if (s.n > 2) throw new Error("too big"); return s; }
export function toNumber(s: S): number { return s.n; }
export function square(i: number): number { return i * i; }
export function pick(s: S, other: number): S { return { ...s, n: other }; }
`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// Inside this package (not the temp dir), so "@asya/flow" resolves when a test imports the flow.
const TEST_DIR = fileURLToPath(new URL(".", import.meta.url));

/** Writes `handlers.ts` and `flow.ts` (with `source` as the flow file) to a fresh directory. */
export function writeFlow(source: string, handlers: string = HANDLERS): string {
  const dir = mkdtempSync(join(TEST_DIR, ".tmp-flow-"));
  dirs.push(dir);
  writeFileSync(join(dir, "handlers.ts"), handlers);
  const file = join(dir, "flow.ts");
  writeFileSync(file, source);
  return file;
}

/** A flow file around `body` (the function's statements over `p: S`). */
export function flowSource(body: string, prelude = ""): string {
  return [
    'import { flow, pause } from "@asya/flow";',
    'import { dbl, fails, inc, pick, square, toNumber, type S } from "./handlers.js";',
    prelude,
    "export const f = flow(async function f(p: S): Promise<S> {",
    body,
    "});",
    "",
  ].join("\n");
}
