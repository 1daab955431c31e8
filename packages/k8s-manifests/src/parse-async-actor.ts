import { parseAllDocuments } from "yaml";
import type { z } from "zod";
import { type AsyncActor, asyncActorSchema } from "./async-actor-schema.js";
import { ManifestError, type ManifestIssue } from "./manifest-error.js";

/** Formats a zod path as `spec.env[2].name`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === "" ? "(root)" : out;
}

function toIssues(error: z.ZodError): ManifestIssue[] {
  return error.issues.map((issue) => ({ path: formatFieldPath(issue.path), message: issue.message }));
}

/**
 * Validates an AsyncActor object (e.g. from `YAML.parse`) and applies every default.
 * @throws {ManifestError} `INVALID_SPEC` listing each bad field with its path (`spec.scaling.maxReplicaCount`).
 * @example parseAsyncActor({ apiVersion: "asya.sh/v1alpha1", kind: "AsyncActor", spec: { ... } })
 */
export function parseAsyncActor(input: unknown, source = "AsyncActor"): AsyncActor {
  const result = asyncActorSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = toIssues(result.error);
  const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`).join("\n");
  throw new ManifestError(`invalid ${source}:\n${lines}`, {
    code: "INVALID_SPEC",
    issues,
    cause: result.error,
  });
}

/**
 * Parses one or more AsyncActor documents from YAML (or JSON) text; empty documents are skipped.
 * @throws {ManifestError} `INVALID_YAML` for malformed YAML, `INVALID_SPEC` for an invalid document
 *   (the message names the document index and the bad field).
 */
export function parseAsyncActorsYaml(text: string, source = "input"): AsyncActor[] {
  return yamlDocuments(text, source).map(({ value, where }) => parseAsyncActor(value, where));
}

/**
 * The non-empty documents of YAML (or JSON) text, each with where it is (`file (document 2)`).
 * @throws {ManifestError} `INVALID_YAML` naming the document.
 */
export function yamlDocuments(text: string, source: string): Array<{ value: unknown; where: string }> {
  const documents: Array<{ value: unknown; where: string }> = [];
  for (const [index, document] of parseAllDocuments(text).entries()) {
    const first = document.errors[0];
    if (first !== undefined) {
      throw new ManifestError(`${source}: document ${index + 1} is not valid YAML: ${first.message}`, {
        code: "INVALID_YAML",
        cause: first,
      });
    }
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined)
      documents.push({ value, where: `${source} (document ${index + 1})` });
  }
  return documents;
}
