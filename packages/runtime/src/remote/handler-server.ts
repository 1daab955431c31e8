import { rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { type Envelope, parseEnvelope } from "@asya/envelope";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { toStatusError } from "../error-info.js";
import type { Handler, HandlerOutput } from "../handler-types.js";
import { HandlerCall } from "../internal/message-path/handler-call.js";
import { invokeHandler } from "../internal/message-path/invoke-handler.js";
import { RUNTIME_READY_FILE } from "./runtime-health.js";

/** Options of {@link createHandlerServer}. */
export interface HandlerServerOptions {
  readonly handler: Handler<never>;
  /** Where to listen (`ASYA_SOCKET_DIR` + `ASYA_SOCKET_NAME`); `runtime-ready` is written beside it. */
  readonly socketPath: string;
  /** Largest request body. @default 64 MiB */
  readonly maxRequestBytes?: number;
}

/** A runtime process serving one handler on a Unix socket. */
export interface HandlerServer {
  readonly socketPath: string;
  /** Stops listening; removes the socket and `runtime-ready`. */
  close(): Promise<void>;
}

/** A frame of SPEC section 9: the output with its route already advanced past this actor. */
export function frameOf(envelope: Envelope, output: HandlerOutput): Record<string, unknown> {
  const [curr = "", ...next] = output.next;
  return {
    payload: output.payload,
    route: { prev: [...envelope.route.prev, envelope.route.curr], curr, next },
    headers: output.headers,
    status: output.status,
  };
}

const isGeneratorFunction = (handler: Handler<never>) =>
  ["GeneratorFunction", "AsyncGeneratorFunction"].includes(handler.constructor.name);

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}

async function readRequest(req: IncomingMessage, maxBytes: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Serves `handler` with Asya's runtime protocol (SPEC section 9), so Asya's Go sidecar (or our own
 * runtime with `ASYA_HANDLER_SOCKET`) can call it: `GET /healthz` -> `{"status":"ready"}`;
 * `POST /invoke` with an envelope -> `200 {"frames"}` for a plain handler, `204` when it returned
 * nothing, an SSE stream (`upstream` FLY, `downstream` frames as they are yielded, `error`, `done`)
 * for a generator; `400 msg_parsing_error` for a body that is not an envelope; `500
 * processing_error` with the error's `type`, `mro` (the class chain) and `traceback`. Calls run
 * concurrently. `runtime-ready` is written beside the socket once it listens.
 * @throws Error when the socket cannot be bound.
 */
export async function createHandlerServer(options: HandlerServerOptions): Promise<HandlerServer> {
  const { handler, socketPath } = options;
  const maxBytes = options.maxRequestBytes ?? 64 * 1024 * 1024;
  const streaming = isGeneratorFunction(handler);
  const server: Server = createServer((req, res) => {
    void serve(req, res).catch(() => res.destroy());
  });
  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === "/healthz") return send(res, 200, { status: "ready" });
    if (req.method !== "POST" || req.url !== "/invoke") return send(res, 404, { error: "not_found" });
    const body = await readRequest(req, maxBytes);
    let envelope: Envelope;
    try {
      if (body === undefined) throw new Error(`request body over ${maxBytes} bytes`);
      envelope = parseEnvelope(body, { maxBytes });
    } catch (error) {
      return send(res, 400, { error: "msg_parsing_error", details: { message: (error as Error).message } });
    }
    const call = new HandlerCall();
    res.once("close", () => {
      if (!res.writableFinished) call.abort(new Error("the sidecar closed the request"));
    });
    const base = { actor: envelope.route.curr, envelope, call, traceContext: ROOT_CONTEXT };
    if (!streaming) {
      try {
        const outputs = await invokeHandler(handler, { ...base, onFly: () => undefined });
        if (outputs.length === 0) return send(res, 204);
        return send(res, 200, { frames: outputs.map((output) => frameOf(envelope, output)) });
      } catch (error) {
        return send(res, 500, { error: "processing_error", details: toStatusError(error) });
      }
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const event = (name: string, data: unknown) =>
      res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    try {
      await invokeHandler(handler, {
        ...base,
        onFly: (partial) => event("upstream", { payload: partial }),
        onOutput: (output) => event("downstream", frameOf(envelope, output)),
      });
    } catch (error) {
      // The shape of Asya's runtime (the 500 body), so Asya's sidecar reads type and mro.
      event("error", { error: "processing_error", details: toStatusError(error) });
    }
    event("done", {});
    res.end();
  };
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  const ready = join(dirname(socketPath), RUNTIME_READY_FILE);
  await writeFile(ready, `${process.pid}\n`);
  return {
    socketPath,
    async close() {
      await rm(ready, { force: true });
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await rm(socketPath, { force: true });
    },
  };
}
