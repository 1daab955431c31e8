import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { StateStoreError } from "../state-error.js";

/** A held per-key lock. */
export interface FileLock {
  release(): Promise<void>;
}

/** A lock older than this is taken to be left by a crashed process and is broken. */
export const STALE_LOCK_MS = 10_000;
/** Longest wait for a lock (beyond a stale lock's age) before `UNAVAILABLE`. */
const LOCK_WAIT_MS = STALE_LOCK_MS + 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates `lockPath` exclusively (O_CREAT|O_EXCL, atomic on one machine's file system, also between
 * processes), waiting while another holder has it. `giveUp` runs between attempts: when it answers
 * `true` (e.g. the entry became live, so a `putIfAbsent` has lost anyway) this returns `undefined`
 * without the lock. A lock whose file is older than {@link STALE_LOCK_MS} is broken: its holder
 * died between creating and removing it (holders keep it for one read and one rename).
 *
 * @throws StateStoreError `UNAVAILABLE` when the lock stays busy.
 */
export async function acquireFileLock(
  lockPath: string,
  giveUp: () => Promise<boolean> = async () => false,
): Promise<FileLock | undefined> {
  const token = `${process.pid} ${randomBytes(8).toString("hex")}`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lockPath, token)) return { release: () => releaseLock(lockPath, token) };
    if (await giveUp()) return undefined;
    await breakIfStale(lockPath);
    if (Date.now() > deadline) {
      throw new StateStoreError(`lock ${lockPath} stayed busy for ${LOCK_WAIT_MS} ms`, {
        code: "UNAVAILABLE",
      });
    }
    // Holders keep a lock for microseconds to milliseconds: poll fast, then back off, with jitter.
    await sleep(Math.min(1 + attempt * 2, 25) * (0.5 + Math.random()));
  }
}

/** One attempt, no waiting: the lock or `undefined`. */
export async function tryFileLock(lockPath: string): Promise<FileLock | undefined> {
  const token = `${process.pid} ${randomBytes(8).toString("hex")}`;
  return (await tryCreate(lockPath, token)) ? { release: () => releaseLock(lockPath, token) } : undefined;
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  try {
    await writeFile(lockPath, token, { flag: "wx" });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "ENOENT") throw error;
  }
  await mkdir(dirname(lockPath), { recursive: true });
  return tryCreate(lockPath, token);
}

async function releaseLock(lockPath: string, token: string): Promise<void> {
  // Only our own: had ours been broken as stale, the file may be someone else's lock now.
  const holder = await readFile(lockPath, "utf8").catch(() => undefined);
  if (holder === token) await rm(lockPath, { force: true });
}

async function breakIfStale(lockPath: string): Promise<void> {
  const info = await stat(lockPath).catch(() => undefined);
  if (info === undefined || Date.now() - info.mtimeMs < STALE_LOCK_MS) return;
  // Rename first: of several processes breaking one stale lock, exactly one moves it away.
  const aside = `${lockPath}.stale-${randomBytes(6).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  // Another breaker may have replaced it with a fresh lock between our stat and rename: give that back.
  const moved = await stat(aside).catch(() => undefined);
  if (moved !== undefined && Date.now() - moved.mtimeMs < STALE_LOCK_MS)
    await link(aside, lockPath).catch(() => {});
  await rm(aside, { force: true });
}
