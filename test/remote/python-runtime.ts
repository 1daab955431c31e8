import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";

const RUNTIME = join(REPO_ROOT, "test/remote/fixtures/asya_test_runtime.py");

/** The test's Python runtime (SPEC section 9) as a child process on a socket in a private directory. */
export interface PythonRuntime {
  readonly socketPath: string;
  readonly dir: string;
  /** Starts it (again); resolves once `runtime-ready` exists. */
  start(): Promise<void>;
  /** SIGKILL, by PID; resolves once it exited. */
  kill(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
  /** Resolves when the process exits (by itself or killed). */
  exited(): Promise<number | null>;
}

export function pythonRuntime(env: Readonly<Record<string, string>> = {}): PythonRuntime {
  const dir = mkdtempSync(join(tmpdir(), "asya-pyrt-"));
  const socketPath = join(dir, "asya-runtime.sock");
  let child: ChildProcess | undefined;
  let exit: Promise<number | null> = Promise.resolve(null);
  let output = "";
  const runtime: PythonRuntime = {
    socketPath,
    dir,
    async start() {
      rmSync(join(dir, "runtime-ready"), { force: true });
      output = "";
      child = spawn("python3", [RUNTIME], {
        env: {
          PATH: process.env.PATH ?? "",
          ASYA_SOCKET_PATH: socketPath,
          ASYA_HANDLER: "py_handlers:dispatch",
          ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const current = child;
      exit = new Promise((resolve) => current.once("exit", (code) => resolve(code)));
      const { access } = await import("node:fs/promises");
      const deadline = Date.now() + 10_000;
      while (
        !(await access(join(dir, "runtime-ready")).then(
          () => true,
          () => false,
        ))
      ) {
        if (current.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the Python runtime did not start:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async kill() {
      if (child?.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, "SIGKILL");
      }
      await exit;
    },
    async stop() {
      await runtime.kill();
      rmSync(dir, { recursive: true, force: true });
    },
    exited: () => exit,
  };
  return runtime;
}
