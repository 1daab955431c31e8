import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type TS from "typescript5";
import { ts } from "./typescript.js";

/** The specifier flows import `flow` and `pause` from. */
export const FLOW_MODULE = "@asya/flow";

// The compiler resolves "@asya/flow" to this package's own entry, so a flow outside any project
// (no node_modules) still type-checks: the declaration after a build, the source in this repo's tests.
function flowEntry(): string {
  for (const candidate of ["../index.d.ts", "../index.ts"]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error("[asya:flow] cannot find @asya/flow's own entry next to the compiler");
}

/**
 * Options the flow's program is checked with: ESM, `./x.js` resolving to `./x.ts`; strictness as
 * the flow's own project sets it (its nearest tsconfig.json), else TypeScript's defaults.
 */
export const COMPILER_OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2023.d.ts"],
  types: [],
  noEmit: true,
  skipLibCheck: true,
  allowJs: true,
  checkJs: false,
  allowImportingTsExtensions: true,
  esModuleInterop: true,
  resolveJsonModule: true,
};

// The default library's files are parsed once per process (most of a compile's time otherwise).
const libraryFiles = new Map<string, TS.SourceFile>();

const STRICTNESS = [
  "strict",
  "strictNullChecks",
  "noImplicitAny",
  "strictFunctionTypes",
  "strictBindCallApply",
  "exactOptionalPropertyTypes",
  "noUncheckedIndexedAccess",
  "useUnknownInCatchVariables",
] as const;

/** The strictness flags of the project the flow file belongs to (its nearest tsconfig.json). */
function projectStrictness(file: string): TS.CompilerOptions {
  const config = ts.findConfigFile(dirname(file), ts.sys.fileExists, "tsconfig.json");
  if (config === undefined) return {};
  const read = ts.readConfigFile(config, ts.sys.readFile);
  if (read.error !== undefined) return {};
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(config));
  const picked: TS.CompilerOptions = {};
  for (const flag of STRICTNESS) if (options[flag] !== undefined) picked[flag] = options[flag];
  return picked;
}

/** A program of one flow file and what it imports, with "@asya/flow" mapped to this package. */
export function createFlowProgram(file: string): TS.Program {
  const options = { ...COMPILER_OPTIONS, ...projectStrictness(file) };
  const host = ts.createCompilerHost(options, true);
  // Comments' JSDoc is parsed only where a type error needs it (the libraries' docs are large).
  host.jsDocParsingMode = ts.JSDocParsingMode.ParseForTypeErrors;
  const libraryDir = host.getDefaultLibLocation?.() ?? "";
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.startsWith(libraryDir))
      return getSourceFile(fileName, languageVersion, onError, shouldCreate);
    let source = libraryFiles.get(fileName);
    if (source === undefined) {
      source = getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (source !== undefined) libraryFiles.set(fileName, source);
    }
    return source;
  };
  const entry = flowEntry();
  host.resolveModuleNameLiterals = (literals, containingFile, _redirect, options) =>
    literals.map((literal) => {
      if (literal.text === FLOW_MODULE) {
        return {
          resolvedModule: {
            resolvedFileName: entry,
            extension: entry.endsWith(".d.ts") ? ts.Extension.Dts : ts.Extension.Ts,
            isExternalLibraryImport: true,
          },
        };
      }
      return ts.resolveModuleName(literal.text, containingFile, options, host);
    });
  return ts.createProgram({ rootNames: [file], options, host });
}

/** The 1-based line and column of `node` (after its leading trivia). */
export function locationOf(node: TS.Node): { file: string; line: number; column: number } {
  const source = node.getSourceFile();
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return { file: source.fileName, line: line + 1, column: character + 1 };
}

/** TypeScript -> JavaScript for a fragment of router code (types stripped, nothing else changed). */
export function stripTypes(code: string): string {
  const output = ts.transpileModule(code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false },
    reportDiagnostics: false,
  }).outputText;
  return output.replace(/^export \{\};\s*$/m, "").trim();
}
