import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A ledger of the process groups test runs start (private brokers, emulators), so that a run that
 * dies before its teardown (SIGKILL, a crashed worker, Ctrl-C twice) is cleaned up by the next run:
 * `reapOrphans()` kills, by PID, every recorded group whose owning run is gone, and deletes its dir.
 * PIDs are matched with their start time, so a recycled PID is never signalled.
 */
export interface OwnedGroup {
  /** Process group id (= PID of the leader we spawned detached). */
  readonly pid: number;
  /** Temp directory to delete with it, if any. */
  readonly dir?: string | undefined;
  readonly what: string;
}

interface LedgerEntry extends OwnedGroup {
  readonly startTime: string;
  readonly owner: number;
  readonly ownerStartTime: string;
}

// Outside the run's private TMPDIR (test/setup/temp-dir.ts): the ledger must outlive the run.
export const LEDGER_DIR = join(process.env.ASYA_TEST_BASE_TMPDIR ?? tmpdir(), "asya-test-processes");

/** Start time of a process in clock ticks since boot (`/proc/<pid>/stat` field 22), or undefined. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 2 (comm) may contain spaces; the fields after its closing paren are space-separated.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

function entryFile(pid: number): string {
  return join(LEDGER_DIR, `${pid}.json`);
}

/**
 * Records a group this process (or `owner`, the run it belongs to) started; returns it for
 * `forgetProcessGroup`.
 */
export function recordProcessGroup(group: OwnedGroup, owner: number = process.pid): OwnedGroup {
  mkdirSync(LEDGER_DIR, { recursive: true });
  const entry: LedgerEntry = {
    ...group,
    startTime: startTimeOf(group.pid) ?? "",
    owner,
    ownerStartTime: startTimeOf(owner) ?? "",
  };
  writeFileSync(entryFile(group.pid), JSON.stringify(entry));
  return group;
}

/** Removes a group from the ledger once it has been stopped. */
export function forgetProcessGroup(group: OwnedGroup): void {
  rmSync(entryFile(group.pid), { force: true });
}

/** Signals a whole process group by PID; a group that is already gone is not an error. */
export function killProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function isSameProcess(pid: number, startTime: string): boolean {
  return startTime !== "" && startTimeOf(pid) === startTime;
}

/**
 * Kills (SIGKILL, by PID) the groups recorded by runs that no longer exist and deletes their dirs.
 * Returns what it reaped, so the caller can say so.
 */
export function reapOrphans(): string[] {
  let files: string[];
  try {
    files = readdirSync(LEDGER_DIR);
  } catch {
    return [];
  }
  const reaped: string[] = [];
  for (const file of files) {
    let entry: LedgerEntry;
    try {
      entry = JSON.parse(readFileSync(join(LEDGER_DIR, file), "utf8")) as LedgerEntry;
    } catch {
      rmSync(join(LEDGER_DIR, file), { force: true });
      continue;
    }
    if (isSameProcess(entry.owner, entry.ownerStartTime)) continue; // its run is still going
    if (isSameProcess(entry.pid, entry.startTime)) {
      killProcessGroup(entry.pid, "SIGKILL");
      reaped.push(`${entry.what} (pid ${entry.pid})`);
    }
    if (entry.dir !== undefined) rmSync(entry.dir, { recursive: true, force: true });
    rmSync(join(LEDGER_DIR, file), { force: true });
  }
  return reaped;
}
