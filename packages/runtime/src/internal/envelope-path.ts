/** Splits a control-protocol path like `.route.next` or `.headers.priority` into segments. */
export function splitPath(path: string): string[] {
  const trimmed = path.startsWith(".") ? path.slice(1) : path;
  if (trimmed === "") return [];
  return trimmed.split(".").flatMap((part) => {
    const segments: string[] = [];
    const bracket = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (bracket === null) return [part];
    if (bracket[1] !== "") segments.push(bracket[1] ?? "");
    for (const index of (bracket[2] ?? "").matchAll(/\[(\d+)\]/g)) segments.push(index[1] ?? "");
    return segments;
  });
}

/** Reads a path from a JSON-like value; `undefined` when absent. */
export function getPath(root: unknown, segments: readonly string[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (value === null || typeof value !== "object") return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
