import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { RuntimeConfigError } from "./errors.js";
import type { Handler } from "./handler-types.js";

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
    module = (await import(target)) as Record<string, unknown>;
  } catch (error) {
    throw new RuntimeConfigError(`ASYA_HANDLER: cannot import ${specifier}: ${(error as Error).message}`, {
      code: "HANDLER_NOT_FOUND",
      field: "ASYA_HANDLER",
      cause: error,
    });
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
