import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { canConnect, freePort } from "./net.js";
import { forgetProcessGroup, killProcessGroup, recordProcessGroup } from "./owned-processes.js";

/** A private npm registry (verdaccio) for one test: its own port, storage and users. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** An auth token of a user created on it (publishing needs one). */
  readonly token: string;
  /** Writes an `.npmrc` into `dir` that points npm and pnpm at this registry with the token. */
  writeNpmrc(dir: string): void;
  /** Stops verdaccio by PID and deletes its storage. Idempotent. */
  stop(): Promise<void>;
}

const VERDACCIO_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin/verdaccio");
const READY_TIMEOUT_MS = 30_000;

/** The registry third-party packages come from (verdaccio proxies it for everything but `@asya/*`). */
function upstreamRegistry(): string {
  try {
    return execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8" }).trim();
  } catch {
    return "https://registry.npmjs.org/";
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => child.once("exit", () => resolveExit()));
}

/**
 * Starts verdaccio 6.8 on a free 127.0.0.1 port with temp storage. `@asya/*` are served only from
 * what is published to it (never proxied, so an install proves our tarballs); everything else is
 * proxied from the machine's npm registry. Creates a user and returns its token.
 *
 * @throws Error when verdaccio does not answer within 30 s or the user cannot be created.
 */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "asya-registry-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    [
      `storage: ${join(dir, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(dir, "htpasswd")}`,
      "    max_users: 10",
      "uplinks:",
      "  upstream:",
      `    url: ${upstreamRegistry()}`,
      "    timeout: 60s",
      "packages:",
      '  "@asya/*":',
      "    access: $all",
      "    publish: $authenticated",
      '  "**":',
      "    access: $all",
      "    publish: $authenticated",
      "    proxy: upstream",
      "web:",
      "  enable: false",
      "log: { type: stdout, format: pretty, level: warn }",
      "",
    ].join("\n"),
  );
  const logFile = join(dir, "verdaccio.log");
  const log = openSync(logFile, "a");
  const child = spawn(VERDACCIO_BIN, ["--config", config, "--listen", `127.0.0.1:${port}`], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  child.unref();
  const owned =
    child.pid === undefined ? undefined : recordProcessGroup({ pid: child.pid, dir, what: "verdaccio" });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (owned !== undefined) {
      killProcessGroup(owned.pid, "SIGTERM");
      const timer = setTimeout(() => killProcessGroup(owned.pid, "SIGKILL"), 5_000);
      await exited(child);
      clearTimeout(timer);
      forgetProcessGroup(owned);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`verdaccio did not start on ${url}: ${readFileSync(logFile, "utf8").slice(-2_000)}`);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    // npm's adduser protocol: PUT the user document, get a token back.
    const response = await fetch(`${url}-/user/org.couchdb.user:asya-test`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "asya-test", password: "asya-test-password", type: "user" }),
    });
    const body = (await response.json()) as { token?: string };
    if (!response.ok || body.token === undefined) {
      throw new Error(`verdaccio refused to create a user: ${response.status} ${JSON.stringify(body)}`);
    }
    const token = body.token;
    return {
      url,
      token,
      writeNpmrc(target: string) {
        const host = url.replace(/^http:/, "");
        writeFileSync(join(target, ".npmrc"), `registry=${url}\n${host}:_authToken=${token}\n`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
