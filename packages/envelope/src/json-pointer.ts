import { FORBIDDEN_KEYS } from "./constants.js";
import { EnvelopeError } from "./envelope-error.js";

/** The reference tokens of an RFC 6901 JSON Pointer (`""` is the whole document). */
export function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new EnvelopeError(`not a JSON Pointer (must start with "/"): ${JSON.stringify(pointer)}`, {
      code: "INVALID_ENVELOPE",
      path: [],
    });
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~[^01]|~$/.test(token)) {
        throw new EnvelopeError(`bad escape in JSON Pointer ${JSON.stringify(pointer)} (only ~0 and ~1)`, {
          code: "INVALID_ENVELOPE",
          path: [],
        });
      }
      const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
      if (FORBIDDEN_KEYS.includes(key)) {
        throw new EnvelopeError(`JSON Pointer ${JSON.stringify(pointer)} names a forbidden key ${key}`, {
          code: "INVALID_ENVELOPE",
          path: [],
        });
      }
      return key;
    });
}

/**
 * `document` with `value` placed at `pointer` (a copy; the input is not changed): missing objects
 * on the way are created, array indexes (or `-`, append) are honoured. `""` replaces the document.
 * @throws EnvelopeError `INVALID_ENVELOPE` for a malformed pointer or a path through a primitive.
 */
export function setAtPointer(document: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  const place = (node: unknown, depth: number): unknown => {
    if (depth === tokens.length) return value;
    const token = tokens[depth] as string;
    if (Array.isArray(node)) {
      const index = token === "-" ? node.length : /^(0|[1-9]\d*)$/.test(token) ? Number(token) : -1;
      if (index < 0 || index > node.length) {
        throw new EnvelopeError(
          `JSON Pointer ${JSON.stringify(pointer)}: ${token} is not an index of an array of ${node.length}`,
          {
            code: "INVALID_ENVELOPE",
            path: [],
          },
        );
      }
      const copy = [...node];
      copy[index] = place(node[index], depth + 1);
      return copy;
    }
    if (node === undefined || node === null) return { [token]: place(undefined, depth + 1) };
    if (typeof node !== "object") {
      throw new EnvelopeError(
        `JSON Pointer ${JSON.stringify(pointer)}: cannot go into a ${typeof node} at ${token}`,
        {
          code: "INVALID_ENVELOPE",
          path: [],
        },
      );
    }
    const record = node as Record<string, unknown>;
    return { ...record, [token]: place(record[token], depth + 1) };
  };
  return place(document, 0);
}

/** The value at `pointer`, or `undefined`. @throws EnvelopeError for a malformed pointer. */
export function getAtPointer(document: unknown, pointer: string): unknown {
  let node = document;
  for (const token of parsePointer(pointer)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}
