// A private RabbitMQ node for benchmarks (as test/setup/rabbitmq-node.ts does for tests): its own
// epmd on a free port, a private HOME, cookie and data directory, bound to 127.0.0.1, stopped by
// process group. The machine's own broker is never used.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./services.js";

const BIN = "/usr/lib/rabbitmq/bin";
const execFileAsync = promisify(execFile);

const canConnect = (port) =>
  new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Starts the node; resolves with `{ url, stop }` once it accepts AMQP connections. */
export async function startRabbitMqNode() {
  if (!existsSync(join(BIN, "rabbitmq-server")))
    throw new Error(`rabbitmq-server is not installed in ${BIN}`);
  const dir = mkdtempSync(join(tmpdir(), "asya-bench-rmq-"));
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const node = `asyabench${port}@localhost`;
  writeFileSync(
    join(dir, "rabbitmq.conf"),
    `listeners.tcp.default = 127.0.0.1:${port}\nloopback_users = none\n`,
  );
  writeFileSync(join(dir, "enabled_plugins"), "[].\n");
  const cookie = join(dir, ".erlang.cookie");
  writeFileSync(cookie, randomBytes(18).toString("hex").toUpperCase());
  chmodSync(cookie, 0o400);
  const env = {
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
  const log = openSync(join(dir, "server.out"), "a");
  const group = (command, args) => {
    const child = spawn(command, args, { env, detached: true, stdio: ["ignore", log, log] });
    child.unref();
    return child;
  };
  const epmd = group("epmd", ["-port", String(epmdPort), "-address", "127.0.0.1"]);
  const server = group(join(BIN, "rabbitmq-server"), []);
  const stop = async () => {
    for (const child of [server, epmd]) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`private RabbitMQ node ${node} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await execFileAsync(join(BIN, "rabbitmqctl"), ["-q", "-n", node, "await_startup"], {
    env,
    timeout: 90_000,
  });
  return { url: `amqp://guest:guest@127.0.0.1:${port}`, stop };
}
