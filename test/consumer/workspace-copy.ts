import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";

const execFileAsync = promisify(execFile);

/**
 * Copies the working tree (tracked and untracked files that git does not ignore: what a fresh
 * clone would hold once committed) into `target` as a new git repository with one commit.
 */
export async function snapshotWorkspace(target: string): Promise<void> {
  const { stdout } = await execFileAsync("git", ["ls-files", "-z", "-co", "--exclude-standard"], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter((f) => f !== "" && existsSync(join(REPO_ROOT, f)))) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(target, file));
  }
  const git = (...args: string[]) => execFileAsync("git", args, { cwd: target });
  await git("init", "-q", "-b", "main");
  await git("add", "-A");
  await git(
    "-c",
    "user.name=asya-test",
    "-c",
    "user.email=test@example.invalid",
    "commit",
    "-qm",
    "snapshot",
  );
}
