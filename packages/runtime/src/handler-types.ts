import type { Envelope } from "@asya/envelope";

/** A control command yielded by a generator handler (SPEC section 3). */
export type ControlCommand =
  | readonly ["GET", string]
  | readonly ["SET", string, unknown]
  | readonly ["DEL", string]
  | readonly ["FLY", unknown];

/** The route as a handler sees it: history is read-only, `next` may be reassigned or mutated. */
export interface HandlerRoute {
  readonly prev: readonly string[];
  readonly curr: string;
  /** Actors still to come. Assign a new array or mutate this one; each output uses it as it stands. */
  next: string[];
}

/** The typed context every handler receives as its second argument. */
export interface HandlerContext {
  /** The envelope as received (deeply frozen; status already stamped `processing`). */
  readonly envelope: Readonly<Envelope>;
  /** The route; `ctx.route.next = [...]` rewrites where the next output goes. */
  readonly route: HandlerRoute;
  /** Mutable headers carried by the outputs (`x-asya-*` and trace headers are owned by the runtime). */
  readonly headers: Record<string, unknown>;
  /**
   * Mutable status carried by the outputs (custom fields survive; the runtime's own stamps, e.g.
   * `phase: pending` for the next actor, still apply). As received: `phase: processing`, this actor.
   */
  readonly status: Record<string, unknown>;
  /** Aborted on timeout (reason: `TimeoutError`) and on shutdown (reason: `ShutdownError`). */
  readonly signal: AbortSignal;
  /** This actor's name. */
  readonly actor: string;
  /** 1-based attempt number at this actor. */
  readonly attempt: number;
  /** Stream a partial result upstream (progress event) without routing anything. */
  fly(partial: unknown): void;
  /**
   * The control protocol as methods, with the same paths and rules as `["GET", path]` etc.:
   * `.route.next[-1]`, `.headers["a.b"]`, `.status.x`, slices `[:0]`, `[999:]`, `[1:3]`.
   * @throws PathNotFoundError for a missing key or index; HandlerProtocolError for a bad or read-only path.
   */
  get(path: string): unknown;
  /** `["SET", path, value]`: only `.route.next...`, `.headers...`, `.status...` are writable. */
  set(path: string, value: unknown): void;
  /** `["DEL", path]`: removes a key or list element (a whole `.route.next`/`.headers`/`.status` is emptied). */
  del(path: string): void;
}

/**
 * An actor handler: a plain function `(payload, ctx) => result` (sync or async), or an (async)
 * generator yielding payloads (fan-out) and {@link ControlCommand}s.
 */
export type Handler<TPayload = unknown> = (payload: TPayload, ctx: HandlerContext) => unknown;

/** One output of a handler call: a payload and next/headers/status as they stood when it was emitted. */
export interface HandlerOutput {
  readonly payload: unknown;
  readonly next: readonly string[];
  readonly headers: Readonly<Record<string, unknown>>;
  readonly status: Readonly<Record<string, unknown>>;
}
