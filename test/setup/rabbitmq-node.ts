import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { canConnect, freePort } from "./net.js";
import {
  forgetProcessGroup,
  killProcessGroup,
  type OwnedGroup,
  recordProcessGroup,
} from "./owned-processes.js";

const execFileAsync = promisify(execFile);
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * A RabbitMQ node this test run started and owns: its own node name, free 127.0.0.1 ports (AMQP,
 * Erlang distribution, and a private epmd), a temp data dir with its own Erlang cookie, no plugins.
 * Nothing in the suite stops, restarts or reconfigures a broker it did not start.
 */
export interface RabbitMqNode {
  readonly node: string;
  readonly port: number;
  /** `amqp://guest:guest@127.0.0.1:<port>` (loopback user restrictions are off on this node). */
  readonly url: string;
  /** PID of the server process group leader (the node is stopped by PID, never by name). */
  readonly pid: number;
  /** `rabbitmqctl <args>` against this node only (its cookie, its epmd). */
  ctl(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** `rabbitmqctl stop_app`, then waits until the AMQP port is closed. */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, then waits until the AMQP port accepts connections. */
  startApp(): Promise<void>;
  /** Queue names on this node (for the "nothing left behind" check). */
  listQueues(): Promise<string[]>;
  /** Kills the node and its epmd by PID (TERM, then KILL) and deletes the data dir. Idempotent. */
  stop(): Promise<void>;
}

/** Where Debian/Ubuntu install the real server scripts (the /usr/sbin wrappers `su` to rabbitmq). */
const LIB_BIN = "/usr/lib/rabbitmq/bin";

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** The directory holding `rabbitmq-server` and `rabbitmqctl`, or a clear error naming the fix. */
export function rabbitMqBinDir(): string {
  const fromEnv = process.env.ASYA_TEST_RABBITMQ_BIN;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (existsSync(join(LIB_BIN, "rabbitmq-server"))) return LIB_BIN;
  const onPath = which("rabbitmq-server");
  if (onPath !== undefined) return dirname(onPath);
  throw new Error(
    "[asya:test] rabbitmq-server is not installed: the RabbitMQ integration tests start a private node " +
      "with it. Install it (Debian/Ubuntu: apt-get install rabbitmq-server; .ci/run does this), or point " +
      "ASYA_TEST_RABBITMQ_URL at a broker you own.",
  );
}

async function waitPort(port: number, open: boolean, timeoutMs: number, died?: () => string | undefined) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = died?.();
    if (reason !== undefined) throw new Error(reason);
    if ((await canConnect(port)) === open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `[asya:test] port ${port} did not become ${open ? "open" : "closed"} within ${timeoutMs} ms`,
  );
}

function spawnGroup(command: string, args: readonly string[], env: NodeJS.ProcessEnv, logFile: string) {
  const log = openSync(logFile, "a");
  // detached: its own process group, so stop() can signal the wrapper script and the VM together.
  const child = spawn(command, args, { env, detached: true, stdio: ["ignore", log, log] });
  child.unref();
  return child;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-2_000).trim();
  } catch {
    return "";
  }
}

/**
 * Starts a private RabbitMQ node and waits (bounded) until it accepts AMQP connections. Needs the
 * `rabbitmq-server` package installed (not running). The node and its epmd are recorded under the
 * run's process registry, so a later run reaps them if this process dies before `stop()`.
 *
 * @throws Error when RabbitMQ is not installed or the node does not start within 90 s.
 */
export async function startRabbitMqNode(label = "test"): Promise<RabbitMqNode> {
  const bin = rabbitMqBinDir();
  const dir = mkdtempSync(join(tmpdir(), "asya-rmq-"));
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const node = `asya${label}${port}@localhost`;
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`,
  );
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  // A private cookie in a private HOME: rabbitmqctl of this run can reach this node and no other.
  const cookie = join(dir, ".erlang.cookie");
  writeFileSync(cookie, randomBytes(18).toString("hex").toUpperCase());
  chmodSync(cookie, 0o400);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_CONFIG_FILE: join(dir, "rabbitmq.conf"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, "enabled_plugins"),
    RABBITMQ_MNESIA_BASE: join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: join(dir, "log"),
    RABBITMQ_PID_FILE: join(dir, "pid"),
  };
  const logFile = join(dir, "server.out");
  const epmdBin = which("epmd") ?? "epmd";
  // Our own epmd on a free port: nothing of the machine's Erlang setup is shared or left running.
  const epmd = spawnGroup(epmdBin, ["-port", String(epmdPort), "-address", "127.0.0.1"], env, logFile);
  const server = spawnGroup(join(bin, "rabbitmq-server"), [], env, logFile);
  const groups: OwnedGroup[] = [];
  for (const child of [server, epmd]) {
    if (child.pid !== undefined)
      groups.push(recordProcessGroup({ pid: child.pid, dir, what: `rabbitmq ${node}` }));
  }
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const [child, group] of [
      [server, groups[0]],
      [epmd, groups[1]],
    ] as const) {
      if (group === undefined) continue;
      killProcessGroup(group.pid, "SIGTERM");
      const timer = setTimeout(() => killProcessGroup(group.pid, "SIGKILL"), STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
      // The VM may outlive the wrapper script for a moment: make sure the whole group is gone.
      killProcessGroup(group.pid, "SIGKILL");
      forgetProcessGroup(group);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const ctl = async (args: readonly string[], timeoutMs = 30_000): Promise<string> => {
    const { stdout } = await execFileAsync(join(bin, "rabbitmqctl"), ["-q", "-n", node, ...args], {
      env,
      timeout: timeoutMs,
    });
    return stdout;
  };
  let serverExit: string | undefined;
  server.once("exit", (code, signal) => {
    serverExit = `[asya:test] RabbitMQ node ${node} exited (${signal ?? code}) before it was ready`;
  });
  try {
    await waitPort(port, true, START_TIMEOUT_MS, () => (stopped ? undefined : serverExit));
    await ctl(["await_startup"], START_TIMEOUT_MS);
  } catch (error) {
    const log = tail(logFile);
    await stop();
    throw new Error(`[asya:test] private RabbitMQ node ${node} did not start: ${String(error)}\n${log}`);
  }
  return {
    node,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    pid: server.pid ?? 0,
    ctl,
    async stopApp() {
      await ctl(["stop_app"]);
      await waitPort(port, false, 30_000);
    },
    async startApp() {
      await ctl(["start_app"]);
      await waitPort(port, true, 30_000);
    },
    async listQueues() {
      const out = await ctl(["list_queues", "name", "--no-table-headers"]);
      return out
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "");
    },
    stop,
  };
}

/**
 * Runs `during` while the node's app is stopped for at least `minOutageMs`; the app is always
 * started again (in `finally`), even when `during` throws.
 */
export async function withBrokerOutage<T>(
  broker: Pick<RabbitMqNode, "stopApp" | "startApp">,
  minOutageMs: number,
  during: () => Promise<T>,
): Promise<{ result: T; outageMs: number }> {
  const started = Date.now();
  await broker.stopApp();
  try {
    const result = await during();
    const remaining = minOutageMs - (Date.now() - started);
    if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
    return { result, outageMs: Date.now() - started };
  } finally {
    await broker.startApp();
  }
}
