import { type IncomingMessage, request } from "node:http";
import { HandlerUnavailableError } from "./remote-errors.js";

/** Connect errors that mean "not there yet / busy", retried within the call's time. */
const RETRYABLE_CONNECT = new Set(["EAGAIN", "ECONNREFUSED", "ENOENT", "EWOULDBLOCK"]);

/** One HTTP request to a Unix socket; resolves with the response, rejects on abort or a socket error. */
function once(
  socketPath: string,
  method: string,
  path: string,
  body: string | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        agent: false,
        signal,
        headers: {
          ...(body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) }),
          accept: "application/json, text/event-stream",
        },
      },
      resolve,
    );
    req.once("error", reject);
    req.end(body);
  });
}

/**
 * A request to the runtime's socket (SPEC section 9). A connect that fails because the runtime is
 * busy (`EAGAIN`: Asya's runtime serves one request at a time with a small backlog), restarting
 * (`ECONNREFUSED`) or not started yet (`ENOENT`) is tried again with backoff (10 ms doubling to
 * 500 ms) until `signal` aborts; it is never the handler's failure.
 *
 * @throws the abort reason (the call's `TimeoutError` or `ShutdownError`) when `signal` aborts;
 *   HandlerUnavailableError for any other socket error (the runtime went away mid-request).
 */
export async function socketRequest(
  socketPath: string,
  method: "GET" | "POST",
  path: string,
  body: string | undefined,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let waitMs = 10;
  for (;;) {
    signal.throwIfAborted();
    try {
      return await once(socketPath, method, path, body, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (!RETRYABLE_CONNECT.has(code)) {
        throw new HandlerUnavailableError(
          `the handler runtime at ${socketPath} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        signal.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
      waitMs = Math.min(500, waitMs * 2);
    }
  }
}

/** The whole body of a response as text (bounded by `maxBytes`). */
export async function readBody(response: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > maxBytes)
      throw new HandlerUnavailableError(`a response from the handler runtime is over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Server-sent events of a response, as `{event, data}` (SPEC section 9's upstream/downstream/error/done). */
export async function* sseEvents(response: IncomingMessage): AsyncGenerator<{ event: string; data: string }> {
  let buffer = "";
  for await (const chunk of response) {
    buffer += (chunk as Buffer).toString("utf8").replace(/\r\n/g, "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0 || event !== "message") yield { event, data: data.join("\n") };
      end = buffer.indexOf("\n\n");
    }
  }
}
