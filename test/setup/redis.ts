import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canConnect, freePort } from "./net.js";
import { forgetProcessGroup, killProcessGroup, recordProcessGroup } from "./owned-processes.js";

/** The Redis server the integration tests use. */
export interface RedisHandle {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Returns `ASYA_TEST_REDIS_URL` when set (the caller owns that server). Otherwise starts a private
 * `redis-server` on a free 127.0.0.1 port (no persistence, its own working dir) as a detached process
 * group recorded in the process ledger, waits (bounded) until it accepts connections, and returns a
 * handle whose `stop()` kills it by PID and deletes the dir. The machine's own Redis is never used.
 *
 * @throws Error naming the package to install when redis-server cannot start.
 */
export async function startRedisIfNeeded(): Promise<RedisHandle> {
  const external = process.env.ASYA_TEST_REDIS_URL;
  if (external !== undefined && external !== "") {
    process.stderr.write("[asya:test] Redis: external server from ASYA_TEST_REDIS_URL\n");
    return { url: external, stop: async () => {} };
  }
  const port = await freePort();
  // In the run's private TMPDIR; the ledger deletes it too if the run dies before its teardown.
  const dir = mkdtempSync(join(tmpdir(), "asya-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", [...args, "--daemonize", "no", "--dir", dir], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const owned =
    child.pid === undefined ? undefined : recordProcessGroup({ pid: child.pid, dir, what: "redis-server" });
  let output = "";
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    if (owned !== undefined) forgetProcessGroup(owned);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    const exited = spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(
        `[asya:test] redis-server did not start on 127.0.0.1:${port}` +
          `${exited ? " (it exited)" : ` within ${READY_TIMEOUT_MS} ms`}: ${spawnError?.message ?? output.trim()}. ` +
          "Install it with `apt-get install -y redis-server` (the system service is not needed), " +
          "or set ASYA_TEST_REDIS_URL to a server the tests may use.",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.stdout?.removeListener("data", collect);
  child.stderr?.removeListener("data", collect);
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();
  const url = `redis://127.0.0.1:${port}`;
  process.stderr.write(`[asya:test] Redis: private redis-server at ${url}\n`);
  return { url, stop };
}

/** TERM, then KILL after a bound, by PID of the group we spawned; resolves once it exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killProcessGroup(pid, "SIGTERM");
  const timer = setTimeout(() => killProcessGroup(pid, "SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
