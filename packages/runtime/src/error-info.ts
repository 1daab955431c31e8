import type { StatusError } from "@asya/envelope";

const ROOTS = new Set(["Error", "Object", ""]);

/**
 * Converts anything thrown into the envelope's `status.error` shape: `type` is the error's `name`
 * (or its class name when `name` is the generic `Error`), `mro` the ancestor class names, most
 * specific first, without the type itself and the roots `Error`/`Object`.
 */
export function toStatusError(error: unknown): StatusError {
  if (!(error instanceof Error)) {
    return { type: "Error", mro: [], message: String(error), traceback: "" };
  }
  const className = error.constructor?.name ?? "";
  const type = error.name && error.name !== "Error" ? error.name : className || "Error";
  const mro: string[] = [];
  if (className && className !== type && !ROOTS.has(className)) mro.push(className);
  let proto: unknown = Object.getPrototypeOf(Object.getPrototypeOf(error));
  while (proto !== null && proto !== undefined && proto !== Error.prototype && proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? "";
    if (!ROOTS.has(name) && name !== type && !mro.includes(name)) mro.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  return { type, mro, message: error.message, traceback: error.stack ?? "" };
}
