import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "./net.js";
import { forgetProcessGroup, recordProcessGroup } from "./owned-processes.js";

/** A running SQS emulator endpoint (owned by the SQS transport work; see issue 6). */
export interface MotoHandle {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

async function isUp(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status < 500;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative PID = the whole process group (moto_server may fork werkzeug workers).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Returns `ASYA_TEST_SQS_ENDPOINT` when set; otherwise starts `moto_server` on 127.0.0.1 and a
 * free port as a detached process group, waits (bounded) until it answers, and returns a handle
 * whose `stop()` kills that process group by PID.
 *
 * @throws Error when moto_server cannot be started or does not answer within 30 s.
 */
export async function startMotoIfNeeded(): Promise<MotoHandle> {
  const external = process.env.ASYA_TEST_SQS_ENDPOINT;
  if (external !== undefined && external !== "") return { endpoint: external, stop: async () => {} };

  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const owned =
    child.pid === undefined ? undefined : recordProcessGroup({ pid: child.pid, what: "moto_server" });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4_000);
  });
  let exited = false;
  let spawnError: Error | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
    child.once("error", (error) => {
      spawnError = error;
      exited = true;
      resolve();
    });
  });

  const stop = async (): Promise<void> => {
    if (exited) {
      if (owned !== undefined) forgetProcessGroup(owned);
      return;
    }
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), STOP_TIMEOUT_MS);
    await exitedPromise;
    clearTimeout(timer);
    if (owned !== undefined) forgetProcessGroup(owned);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(
        `moto_server exited before becoming ready: ${spawnError?.message ?? stderr.trim() ?? "no output"}`,
      );
    }
    if (await isUp(endpoint)) {
      child.stderr?.removeAllListeners("data");
      child.stderr?.resume();
      return { endpoint, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(
    `moto_server did not answer on ${endpoint} within ${READY_TIMEOUT_MS} ms: ${stderr.trim()}`,
  );
}
