import type { z } from "zod";
import { StateStoreError } from "../state-error.js";

/**
 * Validates a factory's options once; the first problem becomes `INVALID_CONFIG` naming the option
 * in `field` and the message (values are not echoed: they may hold credentials).
 */
export function parseOptions<S extends z.ZodType>(schema: S, options: unknown, origin: string): z.output<S> {
  const result = schema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // An unknown option (a typo) is named by itself; any other problem by its path.
  const unknown = issue?.code === "unrecognized_keys" ? issue.keys[0] : undefined;
  const field = [...(issue?.path ?? []), ...(unknown === undefined ? [] : [unknown])].join(".") || undefined;
  throw new StateStoreError(
    `${origin}: invalid option ${field ?? "(options)"}: ${issue?.message ?? "invalid"}`,
    {
      code: "INVALID_CONFIG",
      ...(field === undefined ? {} : { field }),
      cause: result.error,
    },
  );
}
