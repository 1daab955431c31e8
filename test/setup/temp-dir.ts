import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Global setup of every vitest project: points TMPDIR (what `os.tmpdir()` reads, in this process
 * and in the workers and child processes forked after it) at a directory private to this run, and
 * deletes it at the end, so no temp file or dir a test forgets survives the run. The first project
 * to start owns the directory; the others reuse it.
 */
export default function setup(): () => void {
  if (process.env.ASYA_TEST_RUN_TMPDIR !== undefined) return () => undefined;
  process.env.ASYA_TEST_BASE_TMPDIR ??= tmpdir();
  const dir = mkdtempSync(join(process.env.ASYA_TEST_BASE_TMPDIR, "asya-run-"));
  process.env.ASYA_TEST_RUN_TMPDIR = dir;
  process.env.TMPDIR = dir;
  return () => {
    rmSync(dir, { recursive: true, force: true });
  };
}
