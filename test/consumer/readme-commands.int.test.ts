import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";
import { snapshotWorkspace } from "./workspace-copy.js";

// README's first command, run as a newcomer would: in a copy of the repo, on a PATH that has Node
// and npm but no pnpm, with npm's global prefix in a temp dir (so `npm i -g` touches nothing here).
const execFileAsync = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "asya-readme-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The first `sh` block under the "Two commands" heading, its commands without comments. */
function twoCommands(): string[] {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Two commands"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .slice(0, 2)
    .map((line) => line.replace(/\s+#.*$/, "").trim());
}

it("README's first command brings pnpm and runs the demo on a PATH without pnpm", async () => {
  const [first, second] = twoCommands();
  expect(first).toMatch(/^npm i -g pnpm@\d+\.\d+\.\d+ && pnpm install && pnpm demo$/);
  expect(second).toBe("pnpm test");

  const bin = join(root, "bin");
  const prefix = join(root, "npm-global");
  mkdirSync(bin);
  // The machine's PATH without pnpm: every command of its directories, linked into one, except
  // pnpm's (this machine keeps pnpm beside node, so the directories themselves cannot be used).
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir === "" || dir.includes("node_modules")) continue;
    for (const name of readdirSafe(dir)) {
      if (/^pnpm|^pnpx$/.test(name) || existsSync(join(bin, name))) continue;
      symlinkSync(join(dir, name), join(bin, name));
    }
  }
  // The machine's environment (CA bundles, locale, HOME) minus what pnpm and vitest put into it.
  const inherited = Object.entries(process.env).filter(
    ([key]) => !/^(npm_|PNPM_|VITEST|NODE_ENV$|TEST$)/i.test(key) && key !== "PATH",
  );
  const env = {
    ...Object.fromEntries(inherited),
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    PATH: `${join(prefix, "bin")}:${bin}`,
    npm_config_prefix: prefix,
    npm_config_update_notifier: "false",
  };

  const sh = (script: string, cwd: string) =>
    execFileAsync("/bin/sh", ["-c", script], { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  await expect(sh("command -v pnpm", root)).rejects.toBeDefined(); // the newcomer has no pnpm

  const repo = join(root, "repo");
  await snapshotWorkspace(repo);
  const { stdout } = await sh(first ?? "", repo).catch((error: { stdout?: string; stderr?: string }) => {
    throw new Error(`README's first command failed:\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
  });
  const lines = stdout.trim().split("\n");
  expect(lines.at(-1)).toMatch(/^summary: /);
}, 600_000);
