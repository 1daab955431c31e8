import type { Handler, HandlerContext } from "../handler-types.js";
import { HandlerUnavailableError, RemoteHandlerError, RemoteProtocolError } from "./remote-errors.js";
import { readBody, socketRequest, sseEvents } from "./socket-request.js";

/** Options of {@link createSocketHandler}. */
export interface SocketHandlerOptions {
  /**
   * The runtime's socket (`ASYA_HANDLER_SOCKET`), e.g. `/var/run/asya/asya-runtime.sock`; several
   * (one per runtime process) spread the calls: each goes to the socket with the fewest in flight.
   */
  readonly socketPath: string | readonly string[];
  /** Largest response body read. @default 64 MiB */
  readonly maxResponseBytes?: number;
}

interface Frame {
  readonly payload: unknown;
  readonly route: { readonly prev?: unknown; readonly curr: string; readonly next: readonly string[] };
  readonly headers?: Record<string, unknown>;
  readonly status?: Record<string, unknown>;
}

function frameOf(value: unknown): Frame {
  const frame = value as Partial<Frame> | null;
  const route = frame?.route as Partial<Frame["route"]> | undefined;
  if (
    frame === null ||
    typeof frame !== "object" ||
    !("payload" in frame) ||
    typeof route?.curr !== "string" ||
    !Array.isArray(route.next) ||
    !route.next.every((actor) => typeof actor === "string")
  ) {
    throw new RemoteProtocolError(
      `the handler runtime sent a frame without {payload, route: {curr, next}}: ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return frame as Frame;
}

/**
 * Applies a frame to the call's context before its payload is yielded: the frame's route is
 * already advanced (SPEC section 9), so `curr` and `next` become this output's `next`; its headers
 * and status fields replace the context's (the runtime sends them as the handler left them).
 */
function apply(frame: Frame, ctx: HandlerContext): unknown {
  ctx.route.next = frame.route.curr === "" ? [] : [frame.route.curr, ...frame.route.next];
  if (frame.headers !== undefined) {
    for (const key of Object.keys(ctx.headers)) if (!(key in frame.headers)) delete ctx.headers[key];
    Object.assign(ctx.headers, frame.headers);
  }
  if (frame.status !== undefined) {
    const { phase: _phase, actor: _actor, created_at: _c, updated_at: _u, ...custom } = frame.status;
    Object.assign(ctx.status, custom);
  }
  return frame.payload;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteProtocolError(
      `the handler runtime answered ${what} that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}

/**
 * A handler that runs in another process speaking Asya's runtime protocol (SPEC section 9) on a
 * Unix socket: each call is `POST /invoke` with the envelope. `200 {"frames"}` and the SSE stream's
 * `downstream` frames become this call's outputs, in order (so fan-out ids, status stamps, routing
 * and everything else apply to them as to in-process outputs); `upstream` events are FLY; `204` is no
 * output (the envelope ends at x-sink, succeeded); `500` and an `error` event throw a
 * {@link RemoteHandlerError} with the remote `type` and `mro`; `400` (the runtime could not read the
 * envelope) throws one typed `MsgParsingError`. A runtime that is busy or restarting is waited for
 * within the call's limit; one that goes away mid-call throws {@link HandlerUnavailableError} (the
 * message is redelivered, not failed). The call's abort (timeout, shutdown) aborts the request.
 */
export function createSocketHandler(options: SocketHandlerOptions): SocketHandler {
  const maxBytes = options.maxResponseBytes ?? 64 * 1024 * 1024;
  const sockets = (
    typeof options.socketPath === "string" ? [options.socketPath] : [...options.socketPath]
  ).map((path) => ({ path, inFlight: 0 }));
  if (sockets.length === 0) throw new RemoteProtocolError("createSocketHandler: no socket path given");
  let inFlight = 0;
  const handler = async function* socketHandler(_payload: unknown, ctx: HandlerContext) {
    // The least busy runtime process (Asya's serves one request at a time).
    const socket = sockets.reduce((best, next) => (next.inFlight < best.inFlight ? next : best));
    inFlight++;
    socket.inFlight++;
    try {
      yield* call(ctx, socket.path);
    } finally {
      inFlight--;
      socket.inFlight--;
    }
  };
  async function* call(ctx: HandlerContext, socketPath: string) {
    const response = await socketRequest(
      socketPath,
      "POST",
      "/invoke",
      JSON.stringify(ctx.envelope),
      ctx.signal,
    );
    const status = response.statusCode ?? 0;
    const type = String(response.headers["content-type"] ?? "");
    try {
      if (status === 204) {
        response.resume();
        return;
      }
      if (status === 200 && type.startsWith("text/event-stream")) {
        for await (const event of sseEvents(response)) {
          const data = event.data === "" ? null : parseJson(event.data, `an SSE ${event.event} event`);
          if (event.event === "upstream") ctx.fly((data as { payload?: unknown } | null)?.payload ?? null);
          else if (event.event === "downstream") yield apply(frameOf(data), ctx);
          else if (event.event === "error") {
            // Asya's runtime sends {"error": "processing_error", "details": {...}}; a bare error object is read too.
            const body = (data ?? {}) as { details?: Record<string, unknown> } & Record<string, unknown>;
            throw new RemoteHandlerError(body.details ?? body);
          } else if (event.event === "done") return;
        }
        throw new HandlerUnavailableError("the handler runtime closed the stream before its done event");
      }
      const text = await readBody(response, maxBytes);
      const body = text === "" ? {} : (parseJson(text, `status ${status}`) as Record<string, unknown>);
      if (status === 200) {
        const frames = (body as { frames?: unknown }).frames;
        if (!Array.isArray(frames))
          throw new RemoteProtocolError("the handler runtime answered 200 without frames");
        for (const frame of frames) yield apply(frameOf(frame), ctx);
        return;
      }
      const details = ((body as { details?: unknown }).details ?? {}) as Record<string, unknown>;
      if (status === 400) {
        throw new RemoteHandlerError({
          type: "MsgParsingError",
          message: `the handler runtime could not read the envelope: ${JSON.stringify(details)}`,
        });
      }
      if (status === 500) throw new RemoteHandlerError(details);
      throw new RemoteProtocolError(`the handler runtime answered status ${status}: ${text.slice(0, 200)}`);
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if ((error as NodeJS.ErrnoException).code === "ECONNRESET" || (error as Error).message === "aborted") {
        throw new HandlerUnavailableError("the handler runtime went away mid-call", { cause: error });
      }
      throw error;
    } finally {
      response.destroy();
    }
  }
  return Object.assign(handler, { inFlight: () => inFlight }) as SocketHandler;
}

/** A {@link Handler} calling the runtime process; `inFlight()` counts its requests in progress. */
export type SocketHandler = Handler & { readonly inFlight: () => number };
