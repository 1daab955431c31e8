import type { StatusError } from "@asya/envelope";

const ROOTS = new Set(["Error", "Object", ""]);

/**
 * Converts anything thrown into the envelope's `status.error` shape: `type` is the error's `name`
 * (or its class name when `name` is the generic `Error` or merely inherited from an ancestor class),
 * `mro` the class chain's names, most specific first, without the type itself and the roots
 * `Error`/`Object`.
 */
export function toStatusError(error: unknown): StatusError {
  if (!(error instanceof Error)) {
    return { type: "Error", mro: [], message: String(error), traceback: "" };
  }
  // An error from a handler in another process carries the remote type and mro as they are.
  const remote = (error as { statusError?: StatusError }).statusError;
  if (remote !== undefined && typeof remote.type === "string") return remote;
  // The class chain, most specific first, without the roots.
  const chain: string[] = [];
  let proto: unknown = Object.getPrototypeOf(error);
  while (proto !== null && proto !== undefined && proto !== Error.prototype && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? "";
    if (!ROOTS.has(name) && !chain.includes(name)) chain.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  const className = chain[0];
  // A `name` merely inherited from an ancestor (`class BadInput extends TypeError {}`) does not name
  // the class: the class name wins then.
  const ownName = error.name && error.name !== "Error" && !chain.slice(1).includes(error.name);
  const type = ownName ? error.name : (className ?? (error.name || "Error"));
  const mro = chain.filter((name) => name !== type);
  return { type, mro, message: error.message, traceback: error.stack ?? "" };
}
