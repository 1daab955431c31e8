import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  forgetProcessGroup,
  killProcessGroup,
  LEDGER_DIR,
  reapOrphans,
  recordProcessGroup,
} from "./owned-processes.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** A PID whose process has exited (the owner of an "earlier run that died"). */
function deadPid(): number {
  const { pid } = spawnSync("true");
  if (pid === undefined) throw new Error("could not spawn true");
  return pid;
}

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) killProcessGroup(pid, "SIGKILL");
});

describe("owned-processes ledger", () => {
  it("kills by PID, and deletes the dir of, a group whose owning run died", async () => {
    const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    started.push(pid);
    const dir = mkdtempSync(join(tmpdir(), "asya-owned-"));
    recordProcessGroup({ pid, dir, what: "sleep (orphan)" }, deadPid());
    const gone = exited(child);
    expect(reapOrphans()).toContain(`sleep (orphan) (pid ${pid})`);
    await gone;
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("leaves alone a group whose run is still going, and forgets it once stopped", async () => {
    const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    started.push(pid);
    const group = recordProcessGroup({ pid, what: "sleep (live run)" });
    expect(reapOrphans()).not.toContain(`sleep (live run) (pid ${pid})`);
    expect(alive(pid)).toBe(true);
    const gone = exited(child);
    killProcessGroup(pid, "SIGTERM");
    await gone;
    forgetProcessGroup(group);
  });

  it("never signals a recycled PID: the start time must match too", () => {
    const child = spawn("sleep", ["300"], { detached: true, stdio: "ignore" });
    const pid = child.pid!;
    started.push(pid);
    recordProcessGroup({ pid, what: "sleep (other start time)" }, deadPid());
    // Rewrite the entry as if PID `pid` had belonged to a different, earlier process.
    const file = join(LEDGER_DIR, `${pid}.json`);
    const entry = JSON.parse(readFileSync(file, "utf8")) as { startTime: string };
    writeFileSync(file, JSON.stringify({ ...entry, startTime: "1" }));
    expect(reapOrphans()).not.toContain(`sleep (other start time) (pid ${pid})`);
    expect(alive(pid)).toBe(true);
    expect(existsSync(file)).toBe(false);
  });
});
