import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { RuntimeConfigError } from "../errors.js";

/** What the health server asks the actor. */
export interface HealthSource {
  /** Liveness: the process is not wedged. */
  live(): boolean;
  /** Readiness: started and the transport is connected. */
  ready(): boolean;
  /** Prometheus text, or `undefined` when metrics are disabled. */
  metrics(): Promise<string | undefined> | string | undefined;
}

/** A running health server. */
export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (liveness), `/readyz` (readiness) and `/metrics` (Prometheus text when enabled).
 * Binds to `host` (127.0.0.1 by default; use 0.0.0.0 in containers).
 *
 * @throws RuntimeConfigError `PORT_IN_USE` (field ASYA_HEALTH_PORT) when the port is taken.
 */
export async function startHealthServer(
  source: HealthSource,
  port: number,
  host = "127.0.0.1",
): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const reply = (status: number, body: string, type = "text/plain; charset=utf-8"): void => {
      response.writeHead(status, { "content-type": type });
      response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return reply(405, "method not allowed\n");
    if (path === "/healthz") return source.live() ? reply(200, "ok\n") : reply(503, "not live\n");
    if (path === "/readyz") return source.ready() ? reply(200, "ready\n") : reply(503, "not ready\n");
    if (path === "/metrics") {
      Promise.resolve(source.metrics()).then(
        (text) =>
          text === undefined
            ? reply(404, "metrics disabled\n")
            : reply(200, text, "text/plain; version=0.0.4"),
        () => reply(500, "metrics failed\n"),
      );
      return;
    }
    return reply(404, "not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => reject(listenError(error, host, port));
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A listen failure, said in terms of the setting that controls it. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  const fix =
    "set ASYA_HEALTH_PORT (createActor's healthPort) to a free port, 0 for any free port, or off to disable the health server";
  if (error.code === "EADDRINUSE") {
    return new RuntimeConfigError(
      `health server: ${where} is already in use (another actor or service on this host?): ${fix}`,
      { code: "PORT_IN_USE", field: "ASYA_HEALTH_PORT", cause: error },
    );
  }
  if (error.code === "EACCES" || error.code === "EADDRNOTAVAIL") {
    return new RuntimeConfigError(
      `health server: cannot listen on ${where} (${error.code}): ${fix}, or check ASYA_HEALTH_HOST`,
      {
        code: "INVALID_CONFIG",
        field: error.code === "EACCES" ? "ASYA_HEALTH_PORT" : "ASYA_HEALTH_HOST",
        cause: error,
      },
    );
  }
  return error;
}
