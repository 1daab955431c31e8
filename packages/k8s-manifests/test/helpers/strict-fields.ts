/**
 * Strict unknown-field check against the real Kubernetes/KEDA schemas shipped by kubernetes-models.
 *
 * Those schemas do not set `additionalProperties: false`, so a misspelled key (`terminationGracePeriod`)
 * validates. This probe asks the schema itself whether it knows each key: it replaces the key's value by
 * a Symbol, which no JSON-schema type accepts, and re-validates. A key the schema describes produces an
 * error at exactly that path; an unknown key is never looked at and produces none.
 */
type Validate = (value: unknown) => void;

interface AjvLikeError {
  readonly instancePath: string;
}

const PROBE = Symbol("probe");

function errorPaths(validate: Validate, value: unknown): string[] | "threw" {
  try {
    validate(value);
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvLikeError[] }).errors;
    if (errors === undefined) return "threw";
    return errors.map((e) => e.instancePath);
  }
}

function setAt(root: unknown, path: readonly (string | number)[], value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
}

function* keyPaths(value: unknown, path: (string | number)[] = []): Generator<(string | number)[]> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* keyPaths(item, [...path, index]);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      yield [...path, key];
      yield* keyPaths(child, [...path, key]);
    }
  }
}

const pointer = (path: readonly (string | number)[]) =>
  path.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");

/**
 * Keys of `object` that `validate` (a kubernetes-models `validate()` wrapper) does not know.
 * `freeForm` lists JSON pointers (prefix match) below which the schema is intentionally free-form.
 */
export function unknownFields(
  validate: Validate,
  object: unknown,
  freeForm: readonly string[] = [],
): string[] {
  const unknown: string[] = [];
  for (const path of keyPaths(object)) {
    const at = pointer(path);
    if (freeForm.some((prefix) => at.startsWith(prefix))) continue;
    // Skip keys below an unknown key: their parent is already reported.
    if (unknown.some((bad) => at.startsWith(`${bad}/`))) continue;
    const probe = structuredClone(object);
    setAt(probe, path, PROBE);
    const paths = errorPaths(validate, probe);
    if (paths === "threw") continue;
    if (!paths.some((p) => p === at)) unknown.push(at);
  }
  return unknown;
}
