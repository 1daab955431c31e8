import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// ajv-formats is CommonJS: under nodenext its default import is the module object on some builds.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const DRAFT_07 = /json-schema\.org\/draft-0[4-7]\/schema/;
const draft07 = addFormats(new Ajv({ strict: false, allErrors: false, logger: false }));
const draft2020 = addFormats(
  new Ajv2020({ strict: false, allErrors: false, logger: false }) as unknown as Ajv,
);
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Compiles a tool's `inputSchema` (JSON Schema 2020-12, MCP's default, or draft-07 when its
 * `$schema` says so); compiled once per schema object.
 * @throws Error with ajv's message when the schema itself is invalid.
 */
export function compileInputSchema(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    const ajv = typeof schema.$schema === "string" && DRAFT_07.test(schema.$schema) ? draft07 : draft2020;
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** `arguments.text: must be string`, `arguments: must have required property 'text'`. */
export function describeSchemaError(error: ErrorObject | undefined): string {
  if (error === undefined) return "arguments: invalid";
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key.replace(/~1/g, "/").replace(/~0/g, "~")}`))
    .join("");
  return `arguments${path}: ${error.message ?? "invalid"}`;
}
