import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";

// Every ```ts block of the READMEs is a program a reader may paste: each must type-check, as a module
// of its own, under the repo's strict settings against our public exports. A signature sketch that
// is not meant to compile is fenced as ```ts sketch (still highlighted as TypeScript).
const execFileAsync = promisify(execFile);
const READMES = [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "packages")).map((folder) => `packages/${folder}/README.md`),
];
// Inside the repo so that `@asya/*` resolve through test/node_modules; removed afterwards.
const dir = join(REPO_ROOT, "test", "docs", `.snippets-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snippets(readme: string): string[] {
  const text = readFileSync(join(REPO_ROOT, readme), "utf8");
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
}

it("every TypeScript snippet in the READMEs compiles", { timeout: 60_000 }, async () => {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const readme of READMES) {
    snippets(readme).forEach((code, index) => {
      const file = join(dir, `${readme.replaceAll("/", "_").replace(".md", "")}-${index + 1}.ts`);
      // `export {}` makes each snippet a module (own scope; top-level await allowed).
      writeFileSync(file, `${code}\nexport {};\n`);
      files.push(file);
    });
  }
  expect(files.length).toBeGreaterThan(5);
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      compilerOptions: {
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        noEmit: true,
        noUnusedLocals: false,
        customConditions: ["@asya/source"],
      },
      include: ["*.ts"],
    }),
  );
  const tsc = join(REPO_ROOT, "node_modules/.bin/tsc");
  const result = await execFileAsync(tsc, ["-p", dir], { cwd: dir }).then(
    () => "",
    (error: { stdout?: string }) => error.stdout ?? String(error),
  );
  // Name the README and block in the failure, not the temp file.
  expect(result.replaceAll(`${relative(dir, dir)}`, "").trim()).toBe("");
});
