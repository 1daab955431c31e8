import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type Handler, RuntimeConfigError } from "@asya/runtime";

/**
 * Loads a handler from `"<module>#<export>"` (`ASYA_HANDLER`). Relative and absolute paths resolve
 * against `cwd`; other specifiers are imported as packages. Without `#export`, the default export.
 *
 * @throws RuntimeConfigError code `HANDLER_NOT_FOUND` naming `ASYA_HANDLER`.
 */
export async function loadHandler(spec: string, cwd: string = process.cwd()): Promise<Handler> {
  const [specifier = "", exportName = "default"] = spec.split("#");
  const isPath = specifier.startsWith(".") || isAbsolute(specifier);
  const target = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  let module: Record<string, unknown>;
  try {
    if (TS_MODULE.test(specifier)) await registerTypeScript();
    module = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    const hint = importHint(spec, specifier, isPath, cwd, error);
    throw new RuntimeConfigError(
      `ASYA_HANDLER: cannot import ${specifier}: ${(error as Error).message}${hint === "" ? "" : `. ${hint}`}`,
      { code: "HANDLER_NOT_FOUND", field: "ASYA_HANDLER", cause: error },
    );
  }
  const handler = module[exportName];
  if (typeof handler !== "function") {
    throw new RuntimeConfigError(
      `ASYA_HANDLER: ${specifier} has no function export ${JSON.stringify(exportName)}`,
      {
        code: "HANDLER_NOT_FOUND",
        field: "ASYA_HANDLER",
      },
    );
  }
  return handler as Handler;
}

const SCRIPT_EXTENSION = /\.(?:[cm]?js|[cm]?ts|tsx|jsx)$/;
const TS_MODULE = /\.[cm]?tsx?$/;

/** A `.ts` handler runs through @asya/flow's TypeScript loader when it is installed. */
async function registerTypeScript(): Promise<void> {
  try {
    await import("@asya/flow/register" as string);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
  }
}

/** What to do about the two first-contact mistakes: a path without `./`, and a `.ts` handler. */
function importHint(spec: string, specifier: string, isPath: boolean, cwd: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_UNKNOWN_FILE_EXTENSION" && /\.[cm]?tsx?$/.test(specifier)) {
    return (
      "Node does not run TypeScript here: install @asya/flow (asya run then loads .ts handlers), compile " +
      "the handler first (tsc) and point ASYA_HANDLER at the .js output (e.g. ./dist/handler.js#process), " +
      "or start the actor under a TypeScript loader (node --import tsx ...)"
    );
  }
  const looksLikeFile = SCRIPT_EXTENSION.test(specifier) || existsSync(resolve(cwd, specifier));
  if (!isPath && looksLikeFile && (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")) {
    return `A path needs "./" (or an absolute path); without it, Node looks for a package named "${specifier.split("/")[0]}": use ASYA_HANDLER=./${spec}`;
  }
  return "";
}
