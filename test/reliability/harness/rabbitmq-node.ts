import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, canConnect as portOpen } from "../../setup/net.js";
import { sleep } from "./wait.js";

const execFileAsync = promisify(execFile);
const START_TIMEOUT_MS = 60_000;

/** Runs `rabbitmqctl -n <node> <args>` (bounded), returning stdout. */
export async function rabbitmqctl(
  node: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<string> {
  const { stdout } = await execFileAsync("rabbitmqctl", ["-q", "-n", node, ...args], { timeout: timeoutMs });
  return stdout;
}

async function waitPort(port: number, open: boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await portOpen(port)) === open) return;
    await sleep(100);
  }
  throw new Error(
    `[asya:test] port ${port} did not become ${open ? "open" : "closed"} within ${timeoutMs} ms`,
  );
}

/** A RabbitMQ node private to one test file, so stopping it never disturbs other tests. */
export interface RabbitMqNode {
  readonly node: string;
  readonly port: number;
  readonly url: string;
  /** `rabbitmqctl stop_app`, then waits until the AMQP port is closed. */
  stopApp(): Promise<void>;
  /** `rabbitmqctl start_app`, then waits until the AMQP port accepts connections. */
  startApp(): Promise<void>;
  /** Stops the node and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a dedicated RabbitMQ node (`rabbitmq-server -detached`) on free 127.0.0.1 ports with its
 * own data directory and no plugins, for broker-outage scenarios. Needs the `rabbitmq-server`
 * package (as CI installs) and permission to run it (root, or the rabbitmq user).
 *
 * @throws Error when the node does not accept AMQP connections within 60 s.
 */
export async function startRabbitMqNode(): Promise<RabbitMqNode> {
  const dir = mkdtempSync(join(tmpdir(), "asya-rmq-"));
  const port = await freePort();
  const distPort = await freePort();
  const node = `asyarel${port}@localhost`;
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`,
  );
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  // The server may drop privileges to the rabbitmq user: let it write here.
  await execFileAsync("chmod", ["-R", "a+rwX", dir]);
  const env = {
    ...process.env,
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
  const server = spawn("rabbitmq-server", ["-detached"], { env, stdio: "ignore" });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.once("exit", () => resolve());
  });
  const stop = async (): Promise<void> => {
    try {
      await rabbitmqctl(node, ["stop"], 30_000);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitPort(port, true, START_TIMEOUT_MS);
    await rabbitmqctl(node, ["await_startup"], START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw new Error(`[asya:test] dedicated RabbitMQ node ${node} did not start: ${String(error)}`);
  }
  return {
    node,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async stopApp() {
      await rabbitmqctl(node, ["stop_app"]);
      await waitPort(port, false, 30_000);
    },
    async startApp() {
      await rabbitmqctl(node, ["start_app"]);
      await waitPort(port, true, 30_000);
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
    if (remaining > 0) await sleep(remaining);
    return { result, outageMs: Date.now() - started };
  } finally {
    await broker.startApp();
  }
}
