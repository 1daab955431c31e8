/** Fields of Kubernetes' JSONSchemaProps (apiextensions.k8s.io/v1): nothing else may appear in a CRD schema. */
export const JSON_SCHEMA_PROPS_FIELDS = new Set([
  "id",
  "$schema",
  "$ref",
  "description",
  "type",
  "format",
  "title",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "enum",
  "maxProperties",
  "minProperties",
  "required",
  "items",
  "allOf",
  "oneOf",
  "anyOf",
  "not",
  "properties",
  "additionalProperties",
  "patternProperties",
  "dependencies",
  "additionalItems",
  "definitions",
  "externalDocs",
  "example",
  "nullable",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
]);

type Node = Record<string, unknown>;

/**
 * Problems that would make the apiserver reject the schema as non-structural (a subset of the rules
 * in apiextensions-apiserver's structural validation, covering every construct zod can emit).
 */
export function structuralProblems(node: Node, path = "#"): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(node)) {
    if (!JSON_SCHEMA_PROPS_FIELDS.has(key)) problems.push(`${path}: unknown field ${key}`);
  }
  for (const key of ["$ref", "definitions", "patternProperties", "dependencies", "additionalItems"]) {
    if (key in node) problems.push(`${path}: ${key} is not allowed`);
  }
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (node.type === undefined && !intOrString && !preserve) problems.push(`${path}: type is required`);
  if (node.properties !== undefined && node.additionalProperties !== undefined) {
    problems.push(`${path}: properties and additionalProperties are mutually exclusive`);
  }
  if (node.additionalProperties === false)
    problems.push(`${path}: additionalProperties: false is not allowed`);
  for (const junctor of ["allOf", "oneOf", "not"]) {
    if (junctor in node) problems.push(`${path}: ${junctor} is not used by this schema`);
  }
  if (node.anyOf !== undefined) {
    const expected = JSON.stringify([{ type: "integer" }, { type: "string" }]);
    if (!intOrString || JSON.stringify(node.anyOf) !== expected)
      problems.push(`${path}: anyOf only for int-or-string`);
  }
  if (node.properties !== undefined) {
    for (const [name, child] of Object.entries(node.properties as Record<string, Node>)) {
      problems.push(...structuralProblems(child, `${path}.properties.${name}`));
    }
  }
  if (typeof node.additionalProperties === "object" && node.additionalProperties !== null) {
    problems.push(...structuralProblems(node.additionalProperties as Node, `${path}.additionalProperties`));
  }
  if (node.items !== undefined) problems.push(...structuralProblems(node.items as Node, `${path}.items`));
  return problems;
}

/** Emulates the apiserver's strict field validation: objects with `properties` reject other keys. */
export function withStrictFields(node: Node): Node {
  const out: Node = { ...node };
  if (out.properties !== undefined) {
    const properties: Node = {};
    for (const [name, child] of Object.entries(out.properties as Record<string, Node>)) {
      properties[name] = withStrictFields(child);
    }
    out.properties = properties;
    if (out["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  }
  if (typeof out.additionalProperties === "object" && out.additionalProperties !== null) {
    out.additionalProperties = withStrictFields(out.additionalProperties as Node);
  }
  if (out.items !== undefined) out.items = withStrictFields(out.items as Node);
  return out;
}
