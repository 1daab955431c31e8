import { stringify } from "yaml";
import { sortKeys } from "./internal/plain.js";

/**
 * Serializes objects as multi-document YAML (`---` between documents) with keys sorted at every level,
 * so the same objects always give byte-identical output. Strings YAML 1.1 readers (kubectl) would
 * mistake for booleans or numbers (`"on"`, `"5"`) are quoted.
 * @example process.stdout.write(toYaml(renderActor(actor)))
 */
export function toYaml(objects: readonly unknown[]): string {
  return objects
    .map((object) => stringify(sortKeys(object), { version: "1.1", lineWidth: 0, indentSeq: true }))
    .join("---\n");
}
