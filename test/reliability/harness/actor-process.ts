import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the monorepo. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Directory of the handler fixtures. */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures");

/** Absolute path of the built `asya` bin (from packages/cli/package.json "bin"). */
export function asyaCliPath(): string {
  const pkgDir = join(REPO_ROOT, "packages/cli");
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.asya;
  if (bin === undefined) throw new Error("[asya:test] packages/cli/package.json has no `asya` bin");
  return join(pkgDir, bin);
}

/**
 * Throws a clear error unless the runtime CLI is built (child processes run built code).
 *
 * @throws Error telling to run `pnpm build`.
 */
export function assertRuntimeBuilt(): string {
  const cli = asyaCliPath();
  if (!existsSync(cli)) throw new Error(`[asya:test] ${cli} does not exist: run \`pnpm build\` first`);
  return cli;
}

/** A handler fixture as an ASYA_HANDLER value (`/abs/path.js#export`). */
export function fixtureHandler(file: string, exportName = "handle"): string {
  return `${join(FIXTURES_DIR, file)}#${exportName}`;
}

/** How a child process ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Options of {@link ActorProcess}. */
export interface ActorProcessOptions {
  /** Label used in logs and errors (e.g. the actor name). */
  readonly label: string;
  /** Arguments after the CLI path. @default ["run"] */
  readonly args?: readonly string[];
  /** ASYA_* and fixture variables; merged over a minimal inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /** Command to run instead of the asya CLI (harness self-tests). */
  readonly command?: { readonly file: string; readonly args: readonly string[] };
}

const TAIL_BYTES = 64 * 1024;

/**
 * One actor running as a child process (`node packages/cli/bin/asya.js run`), which can be
 * SIGKILLed, SIGTERMed and restarted with the same configuration. Output is kept (tail) for
 * diagnostics.
 */
export class ActorProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ExitInfo> | undefined;
  private output = "";
  /** Exit of every incarnation so far, in order. */
  readonly exits: ExitInfo[] = [];
  /** Number of times the process was started. */
  starts = 0;

  constructor(readonly options: ActorProcessOptions) {}

  /** PID of the current incarnation. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while the current incarnation runs. */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Last output (stdout + stderr interleaved), for failure messages. */
  tail(bytes = 4_000): string {
    return this.output.slice(-bytes);
  }

  /** Starts a new incarnation; resolves once spawned. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`[asya:test] ${this.options.label} is already running`);
    const command = this.options.command ?? {
      file: process.execPath,
      args: [assertRuntimeBuilt(), ...(this.options.args ?? ["run"])],
    };
    const child = spawn(command.file, [...command.args], {
      cwd: this.options.cwd ?? REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "/tmp",
        // The run's private temp dir (test/setup/temp-dir.ts), so children leave nothing behind either.
        ...(process.env.TMPDIR === undefined ? {} : { TMPDIR: process.env.TMPDIR }),
        METADATA_SERVER_DETECTION: "none",
        ...this.options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString("utf8")).slice(-TAIL_BYTES);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    this.exitPromise = new Promise<ExitInfo>((resolveExit) => {
      child.once("exit", (code, signal) => {
        const info = { code, signal };
        this.exits.push(info);
        resolveExit(info);
      });
    });
    await new Promise<void>((resolveSpawn, reject) => {
      child.once("spawn", () => resolveSpawn());
      child.once("error", reject);
    });
    this.child = child;
    this.starts += 1;
  }

  /** Sends `signal` to the current incarnation (no-op when it is not running). */
  signal(signal: NodeJS.Signals): void {
    if (this.running && this.child?.pid !== undefined) process.kill(this.child.pid, signal);
  }

  /**
   * Waits for the current incarnation to exit.
   *
   * @throws Error when it is still running after `timeoutMs`.
   */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    const exit = this.exitPromise;
    if (exit === undefined) throw new Error(`[asya:test] ${this.options.label} was never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new Error(
              `[asya:test] ${this.options.label} did not exit within ${timeoutMs} ms\n${this.tail()}`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILLs the current incarnation and waits until it is gone. */
  async kill(): Promise<ExitInfo> {
    this.signal("SIGKILL");
    return this.waitForExit(10_000);
  }

  /** SIGKILL, then start again with the same configuration. */
  async killAndRestart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** Graceful stop: SIGTERM, then SIGKILL after `graceMs`. Safe to call when not running. */
  async stop(graceMs = 10_000): Promise<ExitInfo | undefined> {
    if (!this.running) return this.exits.at(-1);
    this.signal("SIGTERM");
    try {
      return await this.waitForExit(graceMs);
    } catch {
      return this.kill();
    }
  }
}

/** Stops every process (in parallel), ignoring errors: for `afterAll`/`finally`. */
export async function stopAll(processes: readonly ActorProcess[], graceMs = 5_000): Promise<void> {
  await Promise.allSettled(processes.map((p) => p.stop(graceMs)));
}
