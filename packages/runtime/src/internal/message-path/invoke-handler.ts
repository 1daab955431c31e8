import type { Envelope } from "@asya/envelope";
import type { Context } from "@opentelemetry/api";
import { context } from "@opentelemetry/api";
import { HandlerProtocolError } from "../../errors.js";
import type { Handler, HandlerContext, HandlerOutput, HandlerRoute } from "../../handler-types.js";
import { deleteAt, getAt, type PathSegment, parsePath, pathText, setAt } from "./control-path.js";
import { type HandlerCall, isThenable } from "./handler-call.js";

/** Inputs of {@link invokeHandler}. */
export interface InvokeOptions {
  readonly actor: string;
  /** The envelope as received (status stamped `processing`); never mutated. */
  readonly envelope: Envelope;
  readonly call: HandlerCall;
  /** The handler span's context: the handler (and every generator step) runs inside it. */
  readonly traceContext: Context;
  readonly onFly: (partial: unknown) => void;
  /** Called with each output as a generator yields it (a runtime serving SPEC section 9 streams them). */
  readonly onOutput?: (output: HandlerOutput) => void;
}

/**
 * What the control protocol reads and writes: the envelope's metadata as Asya's runtime exposes
 * it (no payload; `id`/`parent_id` default to `""`, `headers`/`status` to `{}`). Outputs snapshot
 * `route.next`, `headers` and `status` as they stand when each payload is emitted.
 */
interface ControlView {
  readonly id: string;
  readonly parent_id: string;
  readonly route: { readonly prev: readonly string[]; readonly curr: string; next: unknown };
  headers: Record<string, unknown>;
  status: Record<string, unknown>;
}

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/** Outputs a generator yielded before it threw an error that asks for them to be sent anyway. */
const PARTIALS = new WeakMap<object, HandlerOutput[]>();

/**
 * The outputs yielded before `error`, when the error says they are to be dispatched (a handler in
 * another process that streamed frames before its SSE `error`, SPEC section 9); else none.
 */
export function partialOutputsOf(error: unknown): readonly HandlerOutput[] {
  return error !== null && typeof error === "object" ? (PARTIALS.get(error) ?? []) : [];
}

/**
 * Runs one handler call to completion and returns its outputs (SPEC section 3). Plain return values
 * give one output (none for `null`/`undefined`); generators give one output per yielded payload.
 * A synchronous handler that returns a value is answered synchronously. Rejects (or throws) with the
 * handler's error, or with the call's abort reason as soon as it is aborted.
 */
export function invokeHandler(
  handler: Handler<never>,
  options: InvokeOptions,
): HandlerOutput[] | Promise<HandlerOutput[]> {
  const { envelope, call, traceContext } = options;
  const ctx = new CallContext(options);
  call.throwIfAborted();
  const result = context.with(traceContext, () => handler(envelope.payload as never, ctx));
  if (isGenerator(result)) return drive(result, ctx, options);
  if (!isThenable(result)) return outputsOf(result, ctx);
  return (call.race(result) as Promise<unknown>).then((value) =>
    isGenerator(value) ? drive(value, ctx, options) : outputsOf(value, ctx),
  );
}

function outputsOf(value: unknown, ctx: CallContext): HandlerOutput[] {
  return value === null || value === undefined ? [] : [ctx.snapshot(value)];
}

async function drive(
  generator: AnyGenerator,
  ctx: CallContext,
  options: InvokeOptions,
): Promise<HandlerOutput[]> {
  const { call, traceContext } = options;
  const outputs: HandlerOutput[] = [];
  let reply: unknown;
  try {
    for (;;) {
      const step = await call.race(context.with(traceContext, () => generator.next(reply)));
      if (step.done === true) break;
      reply = undefined;
      const value: unknown = step.value;
      if (isCommand(value)) reply = runCommand(value, ctx.view(), options.onFly);
      else if (value !== null && value !== undefined) {
        const output = ctx.snapshot(value);
        outputs.push(output);
        options.onOutput?.(output);
      }
    }
  } catch (error) {
    if (
      outputs.length > 0 &&
      error !== null &&
      typeof error === "object" &&
      (error as { dispatchPartialOutputs?: unknown }).dispatchPartialOutputs === true
    ) {
      PARTIALS.set(error, outputs);
    }
    // Let the generator run its finally blocks; ignore what that does.
    void Promise.resolve(generator.return?.(undefined)).catch(() => undefined);
    throw error;
  }
  return outputs;
}

/**
 * The context handed to a handler. The control view (copies of next, headers and status) is built
 * on first use: a handler that only reads its payload costs no copies, and its output shares the
 * received envelope's (never mutated) next, headers and status.
 */
class CallContext implements HandlerContext {
  readonly actor: string;
  readonly attempt: number;
  readonly #options: InvokeOptions;
  #view: ControlView | undefined;
  #route: HandlerRoute | undefined;
  #frozen: Envelope | undefined;

  constructor(options: InvokeOptions) {
    this.#options = options;
    this.actor = options.actor;
    this.attempt = options.envelope.status?.attempt || 1;
    Object.freeze(this);
  }

  view(): ControlView {
    if (this.#view !== undefined) return this.#view;
    const { envelope } = this.#options;
    this.#view = {
      id: envelope.id,
      parent_id: envelope.parent_id ?? "",
      route: {
        prev: Object.freeze([...envelope.route.prev]),
        curr: envelope.route.curr,
        next: [...envelope.route.next],
      },
      headers: structuredClone(envelope.headers ?? {}),
      status: structuredClone(envelope.status ?? {}),
    };
    return this.#view;
  }

  snapshot(payload: unknown): HandlerOutput {
    const view = this.#view;
    if (view === undefined) {
      const { envelope } = this.#options;
      return {
        payload,
        next: envelope.route.next,
        headers: envelope.headers ?? EMPTY,
        status: envelope.status ?? EMPTY,
      };
    }
    return {
      payload,
      next: [...assertStringArray(view.route.next, "route.next")],
      headers: structuredClone(view.headers),
      status: structuredClone(view.status),
    };
  }

  /** The envelope as received: a deep-frozen copy, built on first access (payload included). */
  get envelope(): Envelope {
    this.#frozen ??= deepFreeze(structuredClone(this.#options.envelope));
    return this.#frozen;
  }

  get route(): HandlerRoute {
    if (this.#route !== undefined) return this.#route;
    const view = this.view();
    // Getters only: assigning `prev`/`curr` throws (history is forward-only) instead of being ignored.
    this.#route = Object.seal({
      get prev() {
        return view.route.prev;
      },
      get curr() {
        return view.route.curr;
      },
      get next(): string[] {
        return view.route.next as string[];
      },
      set next(value: string[]) {
        view.route.next = assertStringArray(value, "ctx.route.next");
      },
    });
    return this.#route;
  }

  get headers(): Record<string, unknown> {
    return this.view().headers;
  }

  get status(): Record<string, unknown> {
    return this.view().status;
  }

  get signal(): AbortSignal {
    return this.#options.call.signal;
  }

  fly(partial: unknown): void {
    this.#options.onFly(partial);
  }

  get(path: string): unknown {
    return runCommand(["GET", path], this.view(), this.#options.onFly);
  }

  set(path: string, value: unknown): void {
    runCommand(["SET", path, value], this.view(), this.#options.onFly);
  }

  del(path: string): void {
    runCommand(["DEL", path], this.view(), this.#options.onFly);
  }
}

/** `.route.next`, `.headers...` and `.status...` may change; everything else is history. */
function isWritable(segments: readonly PathSegment[]): boolean {
  const [first, second] = segments;
  if (first?.kind !== "key") return false;
  if (first.key === "headers" || first.key === "status") return true;
  return first.key === "route" && second?.kind === "key" && second.key === "next";
}

function runCommand(
  command: readonly unknown[],
  view: ControlView,
  onFly: (partial: unknown) => void,
): unknown {
  const [verb, path, value] = command;
  if (verb === "FLY") {
    onFly(path);
    return undefined;
  }
  if (typeof path !== "string") throw new HandlerProtocolError(`${String(verb)}: the path must be a string`);
  if ((verb === "SET" && command.length !== 3) || (verb !== "SET" && command.length !== 2)) {
    throw new HandlerProtocolError(
      `malformed command: ${String(verb)} takes ${verb === "SET" ? "a path and a value" : "a path"}`,
    );
  }
  const segments = parsePath(path);
  if (verb === "GET") return getAt(view, segments);
  if (!isWritable(segments)) {
    throw new HandlerProtocolError(
      `${String(verb)} ${pathText(segments)}: only .route.next, .headers and .status can be changed (history is forward-only)`,
    );
  }
  const whole = segments.length === (segments[0]?.kind === "key" && segments[0].key === "route" ? 2 : 1);
  if (whole) {
    writeWhole(view, segments, verb === "SET" ? value : undefined);
    return undefined;
  }
  if (verb === "SET") setAt(view, segments, value);
  else deleteAt(view, segments);
  return undefined;
}

/** SET/DEL of `.route.next`, `.headers` or `.status` as a whole (DEL empties it). */
function writeWhole(view: ControlView, segments: readonly PathSegment[], value: unknown): void {
  const head = segments[0];
  const target = head?.kind === "key" ? head.key : "";
  if (target === "route") {
    view.route.next = value === undefined ? [] : [...assertStringArray(value, ".route.next")];
    return;
  }
  if (value !== undefined && (value === null || typeof value !== "object" || Array.isArray(value))) {
    throw new HandlerProtocolError(`SET .${target}: the value must be an object`);
  }
  const next = value === undefined ? {} : (structuredClone(value) as Record<string, unknown>);
  if (target === "headers") view.headers = next;
  else view.status = next;
}

function assertStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new HandlerProtocolError(`${what} must be an array of actor names`);
  }
  return value as string[];
}

const VERBS = new Set(["GET", "SET", "DEL", "FLY"]);

/**
 * A yielded array is a command when it starts with a verb and (but for FLY) a string path; a bad
 * path or arity is then a protocol error, never a payload sent on (a typo must not become data).
 * Any other array is a payload.
 */
function isCommand(value: unknown): value is readonly unknown[] {
  if (!Array.isArray(value) || typeof value[0] !== "string") return false;
  const [verb, path] = value;
  if (!VERBS.has(verb)) {
    // ["PUT", ".headers.x", 1] is a command with a wrong verb, not data (Asya: "unknown verb").
    if (/^[A-Z]+$/.test(verb) && typeof path === "string" && path.startsWith(".")) {
      throw new HandlerProtocolError(`unknown verb ${JSON.stringify(verb)} (GET, SET, DEL or FLY)`);
    }
    return false;
  }
  if (verb === "FLY") return value.length === 2;
  return typeof path === "string";
}

type AnyGenerator = Generator<unknown, unknown, unknown> | AsyncGenerator<unknown, unknown, unknown>;

function isGenerator(value: unknown): value is AnyGenerator {
  if (value === null || typeof value !== "object") return false;
  const candidate = value as Partial<AnyGenerator>;
  return (
    typeof candidate.next === "function" &&
    typeof candidate.throw === "function" &&
    (Symbol.iterator in value || Symbol.asyncIterator in value)
  );
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
