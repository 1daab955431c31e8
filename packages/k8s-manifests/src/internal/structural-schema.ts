/** A JSON-schema node as produced by `z.toJSONSchema`. */
export type JsonSchema = { [key: string]: unknown };

const NUMBER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
const DROPPED_KEYS = ["$schema", "$id", "id", "propertyNames"];
const VALUE_VALIDATIONS = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "pattern",
  "minLength",
  "maxLength",
  "format",
  "enum",
];

function isObject(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function intOrString(node: JsonSchema, branches: JsonSchema[]): JsonSchema | undefined {
  const types = branches.map((branch) => branch.type);
  if (branches.length !== 2 || !types.includes("integer") || !types.includes("string")) return undefined;
  // Kubernetes allows exactly this anyOf under x-kubernetes-int-or-string; value validations move to
  // the outer schema, where JSON Schema applies each only to values of its own type.
  const out: JsonSchema = { ...node };
  delete out.anyOf;
  for (const branch of branches) {
    for (const key of VALUE_VALIDATIONS) {
      if (branch[key] !== undefined && !NUMBER_BOUNDS.has(branch[key] as number)) out[key] = branch[key];
    }
  }
  out["x-kubernetes-int-or-string"] = true;
  out.anyOf = [{ type: "integer" }, { type: "string" }];
  return out;
}

/**
 * Rewrites a zod-generated (OpenAPI 3.0) JSON schema into a Kubernetes structural schema: no `$ref`,
 * no `additionalProperties: false` (apiservers prune instead), free-form objects marked
 * `x-kubernetes-preserve-unknown-fields`, number|string unions as `x-kubernetes-int-or-string`, and no
 * keywords the apiserver rejects (`propertyNames`, `$schema`).
 * @throws {Error} when the schema uses a construct with no structural equivalent.
 */
export function toStructural(node: JsonSchema, path = "#"): JsonSchema {
  if (node.$ref !== undefined || node.$defs !== undefined || node.definitions !== undefined) {
    throw new Error(`$ref at ${path}: reused zod schemas must be inlined`);
  }
  let out: JsonSchema = { ...node };
  for (const key of DROPPED_KEYS) delete out[key];
  for (const key of ["minimum", "maximum"]) {
    if (NUMBER_BOUNDS.has(out[key] as number)) delete out[key];
  }
  if (Array.isArray(out.anyOf) || Array.isArray(out.oneOf)) {
    const converted = Array.isArray(out.anyOf) ? intOrString(out, out.anyOf as JsonSchema[]) : undefined;
    if (converted === undefined) throw new Error(`unsupported union at ${path}`);
    out = converted;
  }
  if (isObject(out.properties)) {
    const properties: JsonSchema = {};
    for (const [name, child] of Object.entries(out.properties)) {
      properties[name] = toStructural(child as JsonSchema, `${path}/properties/${name}`);
    }
    out.properties = properties;
  }
  const additional = out.additionalProperties;
  if (additional === false) {
    delete out.additionalProperties;
  } else if (additional === true || (isObject(additional) && Object.keys(additional).length === 0)) {
    delete out.additionalProperties;
    out["x-kubernetes-preserve-unknown-fields"] = true;
  } else if (isObject(additional)) {
    if (out.properties !== undefined) throw new Error(`properties and additionalProperties at ${path}`);
    out.additionalProperties = toStructural(additional, `${path}/additionalProperties`);
  }
  if (isObject(out.items)) out.items = toStructural(out.items, `${path}/items`);
  if (out.type === undefined && out["x-kubernetes-int-or-string"] !== true) {
    out["x-kubernetes-preserve-unknown-fields"] = true;
  }
  return out;
}
