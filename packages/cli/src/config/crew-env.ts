import { type PauseMetadata, pauseMetadataSchema, type ResumeMergeMode } from "@asya/envelope";
import { type Env, fail, get, positiveDuration } from "./env-values.js";

/**
 * `ASYA_PAUSE_METADATA`: the pause metadata `x-pause` uses for envelopes without
 * `x-asya-pause-metadata` (JSON `{prompt, fields, timeout_s?}`).
 * @throws RuntimeConfigError `INVALID_CONFIG` naming the variable.
 */
export function pauseMetadataFromEnv(env: Env): PauseMetadata | undefined {
  const raw = get(env, "ASYA_PAUSE_METADATA");
  if (raw === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return fail("ASYA_PAUSE_METADATA", `not JSON: ${(error as Error).message}`, error);
  }
  const parsed = pauseMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      "ASYA_PAUSE_METADATA",
      `${issue?.path.join(".") || "metadata"}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

/** `ASYA_RESUME_MERGE_MODE`: `shallow` (default) or `deep`. @throws RuntimeConfigError naming it. */
export function resumeMergeModeFromEnv(env: Env): ResumeMergeMode {
  const mode = get(env, "ASYA_RESUME_MERGE_MODE") ?? "shallow";
  if (mode !== "shallow" && mode !== "deep")
    fail("ASYA_RESUME_MERGE_MODE", `expected shallow or deep, got ${JSON.stringify(mode)}`);
  return mode as ResumeMergeMode;
}

/**
 * `ASYA_FANIN_TIMEOUT` (an incomplete aggregation ends failed after it; default 10m) and
 * `ASYA_FANIN_COMPLETED_TTL` (how long a merge is remembered; default 24h).
 * @throws RuntimeConfigError `INVALID_CONFIG` naming the variable.
 */
export function fanInTimingsFromEnv(env: Env): { incompleteTimeoutMs: number; completedTtlMs: number } {
  return {
    incompleteTimeoutMs: positiveDuration(env, "ASYA_FANIN_TIMEOUT", "10m") as number,
    completedTtlMs: positiveDuration(env, "ASYA_FANIN_COMPLETED_TTL", "24h") as number,
  };
}

/** `ASYA_DEDUPE_TTL`: turns on the de-duplication guard (a duration: how long `done` is kept). */
export function dedupeTtlFromEnv(env: Env): number | undefined {
  return positiveDuration(env, "ASYA_DEDUPE_TTL");
}
