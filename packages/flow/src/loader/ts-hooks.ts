// Module hooks (node:module register) that let Node import TypeScript: flows and their handlers.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type TS from "typescript5";

// Loaded on the first .ts module only: every import of the process waits for this thread's start.
let typescript: typeof TS | undefined;
function ts(): typeof TS {
  typescript ??= createRequire(import.meta.url)("typescript5") as typeof TS;
  return typescript;
}

interface ResolveContext {
  readonly parentURL?: string | undefined;
  readonly conditions: readonly string[];
}
interface Resolved {
  readonly url: string;
  readonly format?: string | null | undefined;
  readonly shortCircuit?: boolean;
}
interface Loaded {
  readonly format: string;
  readonly source?: string | ArrayBuffer | Uint8Array | undefined;
  readonly shortCircuit?: boolean;
}

const TS_URL = /\.(?:m|c)?tsx?$/;

/** `./x.js` -> `./x.ts` when only the TypeScript source exists; "@asya/flow" -> this package. */
export async function resolve(
  specifier: string,
  context: ResolveContext,
  nextResolve: (specifier: string, context: ResolveContext) => Promise<Resolved>,
): Promise<Resolved> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (specifier === "@asya/flow" || specifier.startsWith("@asya/flow/")) {
      const sub = specifier === "@asya/flow" ? "index" : specifier.slice("@asya/flow/".length);
      const url = new URL(`../${sub}.js`, import.meta.url);
      if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
    }
    const isRelative =
      specifier.startsWith(".") || specifier.startsWith("file:") || specifier.startsWith("/");
    if (isRelative && context.parentURL !== undefined && /\.(?:m|c)?js$/.test(specifier)) {
      const candidate = new URL(specifier.replace(/js$/, "ts"), context.parentURL);
      if (existsSync(fileURLToPath(candidate))) return { url: candidate.href, shortCircuit: true };
    }
    throw error;
  }
}

/** TypeScript modules are loaded as ES modules with their types stripped (no type check here). */
export async function load(
  url: string,
  context: { readonly format?: string | null | undefined },
  nextLoad: (url: string, context: { readonly format?: string | null | undefined }) => Promise<Loaded>,
): Promise<Loaded> {
  if (!url.startsWith("file:") || !TS_URL.test(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const output = ts().transpileModule(readFileSync(file, "utf8"), {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      target: ts().ScriptTarget.ES2022,
      module: ts().ModuleKind.ESNext,
      sourceMap: false,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  // Syntax errors fail the import (transpiling alone would emit something and run it).
  const [first] = output.diagnostics ?? [];
  if (first !== undefined) {
    const where =
      first.file === undefined || first.start === undefined
        ? file
        : (() => {
            const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
            return `${file}:${line + 1}:${character + 1}`;
          })();
    throw new SyntaxError(`${where}: ${ts().flattenDiagnosticMessageText(first.messageText, "\n")}`);
  }
  return { format: "module", source: output.outputText, shortCircuit: true };
}
