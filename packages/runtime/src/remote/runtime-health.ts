import { access } from "node:fs/promises";
import { dirname, join } from "node:path";
import { readBody, socketRequest } from "./socket-request.js";

/** The file Asya's runtime writes next to its socket once its handler is loaded (SPEC section 9). */
export const RUNTIME_READY_FILE = "runtime-ready";

/** Whether the runtime at `socketPath` answers `GET /healthz` with 200 within `timeoutMs`. */
export async function runtimeHealthy(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error("health check timed out")), timeoutMs);
  try {
    // One attempt: a refused or missing socket is an answer here, not something to wait out.
    const response = await socketRequest(socketPath, "GET", "/healthz", undefined, controller.signal);
    await readBody(response, 64 * 1024);
    return response.statusCode === 200;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves once the runtime at `socketPath` is ready: its `runtime-ready` file exists beside the
 * socket and `GET /healthz` answers 200. Calls `onWaiting` once if it has to wait.
 * @throws the abort reason when `signal` aborts first.
 */
export async function waitForRuntime(
  socketPath: string,
  options: { readonly signal?: AbortSignal; readonly pollMs?: number; readonly onWaiting?: () => void } = {},
): Promise<void> {
  let told = false;
  for (;;) {
    options.signal?.throwIfAborted();
    const ready = await access(join(dirname(socketPath), RUNTIME_READY_FILE)).then(
      () => runtimeHealthy(socketPath),
      () => false,
    );
    if (ready) return;
    if (!told) options.onWaiting?.();
    told = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 100));
  }
}

/** A running watch of the runtime's health. */
export interface RuntimeWatch {
  stop(): void;
}

/**
 * Checks `GET /healthz` every `intervalMs` while no call is in flight (Asya's runtime serves one
 * request at a time: a long call keeps it from answering, and the call's own timeout covers that).
 * When it has not answered for `graceMs`, calls `onLost` once.
 */
export function watchRuntime(
  socketPath: string,
  options: {
    readonly intervalMs?: number;
    readonly graceMs?: number;
    readonly busy: () => boolean;
    readonly onLost: () => void;
  },
): RuntimeWatch {
  let failingSince: number | undefined;
  let checking = false;
  let lost = false;
  const timer = setInterval(() => {
    if (checking || lost) return;
    if (options.busy()) {
      failingSince = undefined;
      return;
    }
    checking = true;
    void runtimeHealthy(socketPath).then((healthy) => {
      checking = false;
      if (healthy || options.busy()) {
        failingSince = undefined;
        return;
      }
      failingSince ??= Date.now();
      if (Date.now() - failingSince >= (options.graceMs ?? 30_000)) {
        lost = true;
        options.onLost();
      }
    });
  }, options.intervalMs ?? 5_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
