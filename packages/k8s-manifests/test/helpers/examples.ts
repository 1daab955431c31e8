import { readdirSync, readFileSync } from "node:fs";
import { type AsyncActor, parseAsyncActorsYaml } from "@asya/k8s-manifests";

/** Directory of the example AsyncActor specs rendered in CI. */
export const EXAMPLES_DIR = new URL("../../../../examples/k8s/", import.meta.url);

/** Every `*.yaml` file in examples/k8s, sorted. */
export function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith(".yaml"))
    .sort();
}

/** Raw YAML text of one example file. */
export function exampleText(file: string): string {
  return readFileSync(new URL(file, EXAMPLES_DIR), "utf8");
}

/** Parsed AsyncActors of one example file. */
export function exampleActors(file: string): AsyncActor[] {
  return parseAsyncActorsYaml(exampleText(file), file);
}
