import type { PauseMetadata } from "@asya/envelope";

/** What `elicitation/create` may ask for: a flat object of primitives (MCP's restriction). */
export interface ElicitationSchema {
  readonly type: "object";
  readonly properties: Record<string, Record<string, unknown>>;
  readonly required: string[];
}

/**
 * The elicitation schema of a pause (GATEWAY.md section 4, beyond Asya), or `undefined` when it
 * cannot be asked that way: no fields, or a field of type array or object.
 */
export function elicitationSchema(pause: PauseMetadata): ElicitationSchema | undefined {
  if (pause.fields.length === 0) return undefined;
  const properties: Record<string, Record<string, unknown>> = {};
  for (const field of pause.fields) {
    if (field.type === "array" || field.type === "object") return undefined;
    properties[field.name] = {
      type: field.type,
      title: field.name,
      ...(field.prompt === undefined ? {} : { description: field.prompt }),
      ...(field.options === undefined ? {} : { enum: field.options }),
      ...(field.default === undefined ? {} : { default: field.default }),
    };
  }
  return {
    type: "object",
    properties,
    required: pause.fields.filter((f) => f.required === true).map((f) => f.name),
  };
}
