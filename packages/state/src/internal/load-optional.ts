import { StateStoreError } from "../state-error.js";

/**
 * Imports an optional peer dependency (an SDK) on first use, so users of other backends need not
 * install it; its absence is `MISSING_DEPENDENCY` with the install command.
 */
export async function loadOptional<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      String((error as Error).message).includes(`'${name}`);
    if (!missing) throw error;
    throw new StateStoreError(`${name} is not installed: this store needs it (npm install ${name})`, {
      code: "MISSING_DEPENDENCY",
      field: name,
      cause: error,
    });
  }
}
