import type { EnvelopePath } from "../envelope-error.js";

/** What {@link findUnsafeNode} found. */
export interface UnsafeNode {
  readonly kind: "forbidden-key" | "too-deep";
  readonly path: EnvelopePath;
}

function isForbiddenKey(key: string): boolean {
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

/**
 * Walks a JSON value once, iteratively (deep nesting cannot overflow the stack), and reports the
 * first forbidden key (`__proto__`, `constructor`, `prototype`) or container nested deeper than
 * `maxDepth` (the root is level 1). Paths are only computed on the slow path, after a hit.
 */
export function findUnsafeNode(root: unknown, maxDepth: number): UnsafeNode | undefined {
  if (typeof root !== "object" || root === null) return undefined;
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) return locate(root, maxDepth);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child: unknown = node[i];
        if (typeof child === "object" && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      const keys = Object.keys(node);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (isForbiddenKey(key)) return locate(root, maxDepth);
        const child: unknown = (node as Record<string, unknown>)[key];
        if (typeof child === "object" && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return undefined;
}

/** The slow path: walks again in document order, tracking paths, to name the offending field. */
function locate(root: object, maxDepth: number): UnsafeNode | undefined {
  const stack: { node: object; path: (string | number)[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: object; path: (string | number)[] };
    if (path.length + 1 > maxDepth) return { kind: "too-deep", path };
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((value, index) => [index, value])
      : Object.keys(node).map((key) => [key, (node as Record<string, unknown>)[key]]);
    const children: { node: object; path: (string | number)[] }[] = [];
    for (const [key, child] of entries) {
      if (typeof key === "string" && isForbiddenKey(key))
        return { kind: "forbidden-key", path: [...path, key] };
      if (typeof child === "object" && child !== null) children.push({ node: child, path: [...path, key] });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as (typeof children)[number]);
  }
  return undefined;
}
