import { HandlerProtocolError, PathNotFoundError } from "../../errors.js";

/** One step of a control-protocol path (SPEC section 3). */
export type PathSegment =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "slice"; readonly start: number | undefined; readonly stop: number | undefined };

// `.key` (identifier, '-' allowed after the first char, as in Asya), `["key"]` / `['key']`,
// `[3]` / `[-1]`, and slices `[1:3]`, `[:0]`, `[2:]`, `[999:]`, `[:]`.
const TOKEN = /\.([A-Za-z_][\w-]*)|\["([^"]*)"\]|\['([^']*)'\]|\[(-?\d+)\]|\[(-?\d*):(-?\d*)\]/y;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses a path like `.route.next[-1]` or `.headers["model.config.version"]`. Unlike Asya's parser,
 * which skips what it cannot read, any unreadable character is an error: a typo must not address
 * something else.
 *
 * @throws HandlerProtocolError for a malformed path or a prototype-polluting key.
 */
export function parsePath(path: string): PathSegment[] {
  if (!path.startsWith(".") || path === ".") {
    throw new HandlerProtocolError(`path must start with "." and name a field: ${JSON.stringify(path)}`);
  }
  const segments: PathSegment[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < path.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(path);
    if (match === null) {
      throw new HandlerProtocolError(`cannot read path ${JSON.stringify(path)} at position ${at}`);
    }
    const [, dotted, doubleQuoted, singleQuoted, index, start, stop] = match;
    const key = dotted ?? doubleQuoted ?? singleQuoted;
    if (key !== undefined) {
      if (key === "" || FORBIDDEN.has(key)) {
        throw new HandlerProtocolError(
          `path ${JSON.stringify(path)}: key ${JSON.stringify(key)} is not allowed`,
        );
      }
      segments.push({ kind: "key", key });
    } else if (index !== undefined) {
      segments.push({ kind: "index", index: Number(index) });
    } else {
      const bound = (text: string | undefined) =>
        text === undefined || text === "" ? undefined : Number(text);
      if (start === "-" || stop === "-")
        throw new HandlerProtocolError(`path ${JSON.stringify(path)}: bad slice`);
      segments.push({ kind: "slice", start: bound(start), stop: bound(stop) });
    }
  }
  return segments;
}

/** The path as the error messages show it. */
function show(segments: readonly PathSegment[]): string {
  return segments
    .map((segment) =>
      segment.kind === "key"
        ? /^[A-Za-z_][\w-]*$/.test(segment.key)
          ? `.${segment.key}`
          : `[${JSON.stringify(segment.key)}]`
        : segment.kind === "index"
          ? `[${segment.index}]`
          : `[${segment.start ?? ""}:${segment.stop ?? ""}]`,
    )
    .join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Python's list index: negative counts from the end; `undefined` when out of range. */
function listIndex(list: readonly unknown[], index: number): number | undefined {
  const at = index < 0 ? list.length + index : index;
  return at >= 0 && at < list.length ? at : undefined;
}

/** Python's slice bounds, clamped to the list (`[999:]` is the end, `[-2:]` the last two). */
function sliceBounds(length: number, start: number | undefined, stop: number | undefined): [number, number] {
  const clamp = (value: number | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const at = value < 0 ? length + value : value;
    return Math.min(Math.max(at, 0), length);
  };
  const from = clamp(start, 0);
  return [from, Math.max(from, clamp(stop, length))];
}

/** Walks to the value at `segments`, or throws `PathNotFoundError` naming the first missing step. */
function walk(root: unknown, segments: readonly PathSegment[], createMissing: boolean): unknown {
  let node = root;
  segments.forEach((segment, position) => {
    const here = () => show(segments.slice(0, position + 1));
    if (segment.kind === "slice") {
      throw new HandlerProtocolError(`a slice is only valid as the last step of a SET: ${here()}`);
    }
    if (segment.kind === "key") {
      if (!isRecord(node)) throw new PathNotFoundError(`${here()}: not an object`);
      if (!Object.hasOwn(node, segment.key)) {
        if (!createMissing) throw new PathNotFoundError(`${here()}: no such key`);
        node[segment.key] = {};
      }
      node = node[segment.key];
      return;
    }
    if (!Array.isArray(node)) throw new PathNotFoundError(`${here()}: not a list`);
    const at = listIndex(node, segment.index);
    if (at === undefined)
      throw new PathNotFoundError(`${here()}: index out of range (length ${node.length})`);
    node = node[at];
  });
  return node;
}

/**
 * `GET`: a deep copy of the value at the path.
 *
 * @throws PathNotFoundError when a key or index does not exist; HandlerProtocolError for a slice.
 */
export function getAt(root: unknown, segments: readonly PathSegment[]): unknown {
  return structuredClone(walk(root, segments, false));
}

/**
 * `SET`: stores a deep copy of `value`; missing intermediate object keys are created. A final slice
 * assigns like Python's `list[a:b] = value` (`[:0]` prepends, `[999:]` appends, `[1:3]` splices) and
 * needs a list value.
 *
 * @throws PathNotFoundError for an index out of range or a parent that is not an object/list.
 */
export function setAt(root: unknown, segments: readonly PathSegment[], value: unknown): void {
  const last = segments.at(-1);
  const parent = walk(root, segments.slice(0, -1), true);
  const copy = structuredClone(value);
  if (last === undefined) throw new HandlerProtocolError("empty path");
  if (last.kind === "key") {
    if (!isRecord(parent)) throw new PathNotFoundError(`${show(segments)}: parent is not an object`);
    parent[last.key] = copy;
    return;
  }
  if (!Array.isArray(parent)) throw new PathNotFoundError(`${show(segments)}: parent is not a list`);
  if (last.kind === "index") {
    const at = listIndex(parent, last.index);
    if (at === undefined) {
      throw new PathNotFoundError(`${show(segments)}: index out of range (length ${parent.length})`);
    }
    parent[at] = copy;
    return;
  }
  if (!Array.isArray(copy)) throw new HandlerProtocolError(`SET ${show(segments)}: a slice takes a list`);
  const [from, to] = sliceBounds(parent.length, last.start, last.stop);
  parent.splice(from, to - from, ...copy);
}

/**
 * `DEL`: removes the key or list element at the path.
 *
 * @throws PathNotFoundError when it does not exist; HandlerProtocolError for a slice.
 */
export function deleteAt(root: unknown, segments: readonly PathSegment[]): void {
  const last = segments.at(-1);
  if (last === undefined || last.kind === "slice") {
    throw new HandlerProtocolError(`DEL needs a key or an index: ${show(segments)}`);
  }
  const parent = walk(root, segments.slice(0, -1), false);
  if (last.kind === "key") {
    if (!isRecord(parent) || !Object.hasOwn(parent, last.key)) {
      throw new PathNotFoundError(`${show(segments)}: no such key`);
    }
    delete parent[last.key];
    return;
  }
  const at = Array.isArray(parent) ? listIndex(parent, last.index) : undefined;
  if (at === undefined || !Array.isArray(parent)) {
    throw new PathNotFoundError(`${show(segments)}: index out of range`);
  }
  parent.splice(at, 1);
}

/** The path as written in errors (`.headers["a.b"]`). */
export const pathText = show;
