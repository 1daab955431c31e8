import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// A cross-process readers/writer lock between this package's integration test files (vitest runs
// files in parallel workers): the restart test (writer) stops the broker only while no other file
// (reader) is using it, and readers wait while a restart is in progress.
const root = join(tmpdir(), "asya-transport-rabbitmq-tests");
const readers = join(root, "readers");
const restarting = join(root, "restarting");
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Registers a test file as a broker user; returns the release function. */
export async function useBroker(timeoutMs = 90_000): Promise<() => Promise<void>> {
  await mkdir(readers, { recursive: true });
  const me = join(readers, `${process.pid}-${randomBytes(4).toString("hex")}`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    while (await exists(restarting)) {
      if (Date.now() > deadline) throw new Error("broker restart test did not finish in time");
      await pause();
    }
    await writeFile(me, "");
    if (!(await exists(restarting))) break;
    await rm(me, { force: true }); // lost the race: let the restart go first
  }
  return () => rm(me, { force: true });
}

/** Takes the broker exclusively (waits until no reader uses it); returns the release function. */
export async function restartBroker(timeoutMs = 90_000): Promise<() => Promise<void>> {
  await mkdir(readers, { recursive: true });
  await writeFile(restarting, String(process.pid));
  const deadline = Date.now() + timeoutMs;
  while ((await liveReaders()).length > 0) {
    if (Date.now() > deadline) {
      await rm(restarting, { force: true });
      throw new Error("other RabbitMQ test files kept the broker busy");
    }
    await pause();
  }
  return () => rm(restarting, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Reader entries of live processes (entries left by crashed workers are removed). */
async function liveReaders(): Promise<string[]> {
  const live: string[] = [];
  for (const entry of await readdir(readers)) {
    if (alive(Number(entry.split("-")[0]))) live.push(entry);
    else await rm(join(readers, entry), { force: true });
  }
  return live;
}
