import type { Envelope } from "@asya/envelope";
import type { Handler, HandlerContext, HandlerOutput, HandlerRoute } from "../handler-types.js";
import { getPath, splitPath } from "./envelope-path.js";

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** A handler broke the control protocol (bad path, forbidden SET, unknown command). */
export class HandlerProtocolError extends Error {
  override readonly name = "HandlerProtocolError";
  readonly code = "HANDLER_PROTOCOL";
  readonly retryable = false;
  constructor(message: string) {
    super(`[asya:runtime] ${message}`);
  }
}

/** Inputs of {@link invokeHandler}. */
export interface InvokeOptions {
  readonly actor: string;
  readonly envelope: Envelope;
  readonly signal: AbortSignal;
  readonly onFly: (partial: unknown) => void;
}

interface WorkingState {
  next: string[];
  headers: Record<string, unknown>;
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
  const state: WorkingState = {
    next: [...envelope.route.next],
    headers: structuredClone(envelope.headers ?? {}),
  };
  const snapshot = (payload: unknown): HandlerOutput => ({
    payload,
    next: [...state.next],
    headers: structuredClone(state.headers),
  });
  const ctx = createContext(options, state);
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
      if (isCommand(value)) reply = runCommand(value, envelope, state, options.onFly);
      else if (value !== null && value !== undefined) outputs.push(snapshot(value));
    }
  } catch (error) {
    // Let the generator run its finally blocks; ignore what that does.
    void Promise.resolve(result.return?.(undefined)).catch(() => undefined);
    throw error;
  }
  return outputs;
}

function createContext(options: InvokeOptions, state: WorkingState): HandlerContext {
  const { envelope } = options;
  const prev = Object.freeze([...envelope.route.prev]);
  // Getters only: assigning `prev`/`curr` throws (history is forward-only) instead of being ignored.
  const route: HandlerRoute = {
    get prev() {
      return prev;
    },
    get curr() {
      return envelope.route.curr;
    },
    get next(): string[] {
      return state.next;
    },
    set next(value: string[]) {
      state.next = assertStringArray(value, "ctx.route.next");
    },
  };
  // The read-only view is a deep clone + freeze of the whole envelope, payload included: costly for
  // big payloads and wasted on the many handlers that never look at it, so build it on first access.
  let view: Envelope | undefined;
  return Object.freeze({
    get envelope(): Envelope {
      view ??= deepFreeze(structuredClone(envelope));
      return view;
    },
    route: Object.seal(route),
    headers: state.headers,
    signal: options.signal,
    actor: options.actor,
    attempt: envelope.status?.attempt ?? 1,
    fly: (partial: unknown) => options.onFly(partial),
  });
}

function runCommand(
  command: readonly unknown[],
  envelope: Envelope,
  state: WorkingState,
  onFly: (partial: unknown) => void,
): unknown {
  const [verb, path, value] = command;
  if (verb === "FLY") {
    onFly(path);
    return undefined;
  }
  const segments = splitPath(path as string);
  if (segments.some((segment) => FORBIDDEN.has(segment))) {
    throw new HandlerProtocolError(`${String(verb)} ${String(path)}: forbidden key in path`);
  }
  if (verb === "GET") {
    const view = { ...envelope, route: { ...envelope.route, next: state.next }, headers: state.headers };
    return structuredClone(getPath(view, segments));
  }
  const [root, key, ...rest] = segments;
  if (root === "route" && key === "next" && rest.length === 0) {
    state.next = verb === "SET" ? assertStringArray(value, ".route.next") : [];
    return undefined;
  }
  if (root === "headers" && key !== undefined) {
    setPath(state.headers, [key, ...rest], verb === "SET" ? structuredClone(value) : undefined);
    return undefined;
  }
  throw new HandlerProtocolError(
    `${String(verb)} ${String(path)}: only .route.next and .headers.* can be changed (history is forward-only)`,
  );
}

function setPath(root: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let target: Record<string, unknown> = root;
  for (const segment of segments.slice(0, -1)) {
    const child = target[segment];
    if (child === null || typeof child !== "object") {
      if (value === undefined) return;
      target[segment] = {};
    }
    target = target[segment] as Record<string, unknown>;
  }
  const last = segments[segments.length - 1] ?? "";
  if (value === undefined) delete target[last];
  else target[last] = value;
}

function assertStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new HandlerProtocolError(`${what} must be an array of actor names`);
  }
  return value as string[];
}

function isCommand(value: unknown): value is readonly unknown[] {
  if (!Array.isArray(value)) return false;
  const [verb, path] = value;
  switch (verb) {
    case "GET":
    case "DEL":
      return value.length === 2 && typeof path === "string";
    case "SET":
      return value.length === 3 && typeof path === "string";
    case "FLY":
      return value.length === 2;
    default:
      return false;
  }
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
