// Starts and stops the local emulators the cloud scenarios need. Each runs in its own process
// group (detached) bound to 127.0.0.1 on a free port, and is stopped by that PID's group only.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createConnection, createServer } from "node:net";

export const PUBSUB_EMULATOR_BIN =
  "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Spawns `command` in its own process group; `stop()` signals that group (TERM, then KILL). */
function spawnGroup(command, args, env) {
  const child = spawn(command, args, {
    detached: true,
    stdio: "ignore",
    env: { ...process.env, ...env },
  });
  let stopped = false;
  const signal = (sig) => {
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    signal("SIGTERM");
    const deadline = Date.now() + 5_000;
    while (child.exitCode === null && child.signalCode === null && Date.now() < deadline) await sleep(50);
    if (child.exitCode === null && child.signalCode === null) signal("SIGKILL");
  };
  // Never leave an emulator behind, even when the bench throws.
  process.once("exit", () => {
    if (!stopped) signal("SIGKILL");
  });
  return { child, stop };
}

/**
 * Starts `moto_server` (SQS emulator). Returns { endpoint, pid, stop }. Also sets dummy AWS
 * credentials in this process's env when none are set (moto accepts any).
 */
export async function startMoto() {
  process.env.AWS_ACCESS_KEY_ID ??= "bench";
  process.env.AWS_SECRET_ACCESS_KEY ??= "bench";
  process.env.AWS_REGION ??= "us-east-1";
  const port = await freePort();
  const { child, stop } = spawnGroup("moto_server", ["-H", "127.0.0.1", "-p", String(port)]);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return { endpoint, pid: child.pid, stop };
    } catch {
      await sleep(200);
    }
  }
  await stop();
  throw new Error("moto_server did not start within 30 s");
}

/**
 * Starts the Google Pub/Sub emulator (Java). Returns { host: "127.0.0.1:PORT", pid, stop } and sets
 * PUBSUB_EMULATOR_HOST in this process's env.
 */
export async function startPubSubEmulator() {
  if (!existsSync(PUBSUB_EMULATOR_BIN))
    throw new Error(`Pub/Sub emulator not found at ${PUBSUB_EMULATOR_BIN}`);
  const port = await freePort();
  const { child, stop } = spawnGroup(PUBSUB_EMULATOR_BIN, ["--host=127.0.0.1", `--port=${port}`]);
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error("Pub/Sub emulator did not start within 60 s");
    }
    await sleep(200);
  }
  // The port opens slightly before the server answers; wait for an HTTP answer.
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      break;
    } catch {
      await sleep(200);
    }
  }
  process.env.PUBSUB_EMULATOR_HOST = host;
  process.env.METADATA_SERVER_DETECTION ??= "none";
  return { host, pid: child.pid, stop };
}
