import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { canConnect, freePort } from "./net.js";
import { forgetProcessGroup, recordProcessGroup } from "./owned-processes.js";

/** A running Pub/Sub emulator (owned by the Pub/Sub transport work; see issue 7). */
export interface PubSubEmulatorHandle {
  /** `host:port` to put in PUBSUB_EMULATOR_HOST. */
  readonly host: string;
  /** Which backend serves it: `official-emulator`, `external` (caller-provided) or `fake`. */
  readonly backend: string;
  stop(): Promise<void>;
}

/** Where Debian's google-cloud-sdk package installs Google's official Pub/Sub emulator. */
export const PUBSUB_EMULATOR_BIN =
  "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator";

const READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 200;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Reuses PUBSUB_EMULATOR_HOST when set; otherwise starts Google's official emulator on a free
 * 127.0.0.1 port as a detached process group and waits (bounded) until it accepts connections.
 * Fails loudly when neither is available: a missing emulator is a failure, not a skip.
 */
export async function startPubSubEmulatorIfNeeded(): Promise<PubSubEmulatorHandle> {
  // Test workers inherit this: google-auth-library then skips probing for a GCE metadata server.
  process.env.METADATA_SERVER_DETECTION ??= "none";
  const external = process.env.PUBSUB_EMULATOR_HOST;
  if (external !== undefined && external !== "") {
    announce("external", external);
    return { host: external, backend: "external", stop: async () => {} };
  }
  // ASYA_TEST_PUBSUB_BACKEND=fake forces the fake (to test the fake itself where the emulator exists).
  if (process.env.ASYA_TEST_PUBSUB_BACKEND === "fake" || !existsSync(PUBSUB_EMULATOR_BIN)) {
    const handle = await startFake();
    announce(handle.backend, handle.host);
    return handle;
  }
  const handle = await startOfficialEmulator();
  announce(handle.backend, handle.host);
  return handle;
}

/** CI output must say which Pub/Sub backend the integration tests ran against. */
function announce(backend: string, host: string): void {
  process.stderr.write(`[asya:test] Pub/Sub backend: ${backend} at ${host}\n`);
}

/**
 * Starts the test-only gRPC fake (test/pubsub-fake) in this process: the fallback for machine
 * images without Google's emulator.
 */
async function startFake(): Promise<PubSubEmulatorHandle> {
  try {
    const { loadPubSubServices } = await import("../pubsub-fake/grpc.js");
    const { startFakePubSub } = await import("../pubsub-fake/fake-pubsub.js");
    const fake = await startFakePubSub(loadPubSubServices());
    return { host: fake.host, backend: "fake", stop: fake.stop };
  } catch (error) {
    throw new Error(
      `[asya:test] Pub/Sub emulator not found at ${PUBSUB_EMULATOR_BIN}, PUBSUB_EMULATOR_HOST is unset, ` +
        "and the test fake could not start. Install google-cloud-cli-pubsub-emulator (needs Java 17).",
      { cause: error },
    );
  }
}

/** Starts the official emulator (see {@link startPubSubEmulatorIfNeeded}). */
export async function startOfficialEmulator(): Promise<PubSubEmulatorHandle> {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const child = spawn(PUBSUB_EMULATOR_BIN, ["--host=127.0.0.1", `--port=${port}`], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, METADATA_SERVER_DETECTION: "none" },
  });
  const owned =
    child.pid === undefined ? undefined : recordProcessGroup({ pid: child.pid, what: "Pub/Sub emulator" });
  let output = "";
  const collect = (chunk: Buffer): void => {
    if (output.length < 20_000) output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const stop = async (): Promise<void> => {
    await stopGroup(child);
    if (owned !== undefined) forgetProcessGroup(owned);
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(
        `[asya:test] Pub/Sub emulator did not become ready on ${host} within ${READY_TIMEOUT_MS} ms` +
          `${exited ? " (it exited)" : ""}. Output:\n${output.slice(-4000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  // The gRPC port opens slightly before the emulator logs "Server started"; wait for the log
  // line too (bounded) so the first admin call does not race startup.
  while (!output.includes("Server started") && Date.now() < deadline && !exited) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  child.stdout?.removeListener("data", collect);
  child.stderr?.removeListener("data", collect);
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();
  return { host, backend: "official-emulator", stop };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS));
  if ((await Promise.race([exited, timer])) === "timeout") {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  }
}
