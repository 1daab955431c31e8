import type { Envelope } from "@asya/envelope";
import { HandlerProtocolError } from "../errors.js";
import type { Handler, HandlerContext, HandlerOutput, HandlerRoute } from "../handler-types.js";
import { deleteAt, getAt, type PathSegment, parsePath, pathText, setAt } from "./control-path.js";

/** Inputs of {@link invokeHandler}. */
export interface InvokeOptions {
  readonly actor: string;
  readonly envelope: Envelope;
  readonly signal: AbortSignal;
  readonly onFly: (partial: unknown) => void;
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

/**
 * Runs one handler call to completion and returns its outputs (SPEC section 3). Plain return values
 * give one output (none for `null`/`undefined`); generators give one output per yielded payload.
 * Rejects with the handler's error, or with `signal.reason` as soon as the signal aborts.
 */
export async function invokeHandler<TPayload>(
  handler: Handler<TPayload>,
  options: InvokeOptions,
): Promise<HandlerOutput[]> {
  const { envelope, signal } = options;
  const view: ControlView = {
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
  const snapshot = (payload: unknown): HandlerOutput => ({
    payload,
    next: [...assertStringArray(view.route.next, "route.next")],
    headers: structuredClone(view.headers),
    status: structuredClone(view.status),
  });
  const ctx = createContext(options, view);
  signal.throwIfAborted();
  const result = await raceAbort(Promise.resolve(handler(envelope.payload as TPayload, ctx)), signal);
  if (!isGenerator(result)) return result === null || result === undefined ? [] : [snapshot(result)];

  const outputs: HandlerOutput[] = [];
  let reply: unknown;
  try {
    for (;;) {
      const step = await raceAbort(Promise.resolve(result.next(reply)), signal);
      if (step.done === true) break;
      reply = undefined;
      const value: unknown = step.value;
      if (isCommand(value)) reply = runCommand(value, view, options.onFly);
      else if (value !== null && value !== undefined) outputs.push(snapshot(value));
    }
  } catch (error) {
    // Let the generator run its finally blocks; ignore what that does.
    void Promise.resolve(result.return?.(undefined)).catch(() => undefined);
    throw error;
  }
  return outputs;
}

function createContext(options: InvokeOptions, view: ControlView): HandlerContext {
  const { envelope } = options;
  // Getters only: assigning `prev`/`curr` throws (history is forward-only) instead of being ignored.
  const route: HandlerRoute = {
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
  };
  // The read-only view is a deep clone + freeze of the whole envelope, payload included: costly for
  // big payloads and wasted on the many handlers that never look at it, so build it on first access.
  let frozen: Envelope | undefined;
  return Object.freeze({
    get envelope(): Envelope {
      frozen ??= deepFreeze(structuredClone(envelope));
      return frozen;
    },
    route: Object.seal(route),
    get headers() {
      return view.headers;
    },
    get status() {
      return view.status;
    },
    signal: options.signal,
    actor: options.actor,
    attempt: envelope.status?.attempt || 1,
    fly: (partial: unknown) => options.onFly(partial),
    get: (path: string) => runCommand(["GET", path], view, options.onFly),
    set: (path: string, value: unknown) => {
      runCommand(["SET", path, value], view, options.onFly);
    },
    del: (path: string) => {
      runCommand(["DEL", path], view, options.onFly);
    },
  });
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

/** Resolves/rejects like `promise`, or rejects with `signal.reason` as soon as the signal aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
