import type { z } from "zod";
import { createStateStore, type StateStoreConfig } from "./create-state-store.js";
import { fileStateStoreOptionsSchema } from "./file-store.js";
import { postgresStateStoreOptionsSchema } from "./postgres-store.js";
import { redisStateStoreOptionsSchema } from "./redis-store.js";
import { s3StateStoreOptionsSchema } from "./s3-store.js";
import { StateStoreError } from "./state-error.js";
import type { StateStore, StateStoreKind } from "./state-store.js";

/** The environment variables {@link stateStoreConfigFromEnv} reads. */
export type StateStoreEnv = Readonly<Record<string, string | undefined>>;

const KINDS: readonly StateStoreKind[] = ["memory", "file", "redis", "postgres", "s3"];

/** Which variable each option comes from (errors name the variable, not the option). */
const VARIABLE_OF: Readonly<Record<string, string>> = {
  url: "ASYA_STATE_URL",
  connectionString: "ASYA_STATE_URL",
  dir: "ASYA_STATE_DIR",
  bucket: "ASYA_STATE_BUCKET",
  endpoint: "ASYA_STATE_S3_ENDPOINT",
  region: "ASYA_AWS_REGION",
  prefix: "ASYA_STATE_PREFIX",
};

/**
 * The store configuration in `env` (pure: reads nothing else):
 * `ASYA_STATE_STORE` (`memory` | `file` | `redis` | `postgres` | `s3`, default `memory`),
 * `ASYA_STATE_URL` (redis:// or postgres:// URL; required for those), `ASYA_STATE_DIR` (file;
 * required), `ASYA_STATE_BUCKET` (s3; required), `ASYA_STATE_S3_ENDPOINT` (s3; optional),
 * `ASYA_AWS_REGION` or `AWS_REGION` (s3; default us-east-1), `ASYA_STATE_PREFIX` (key prefix of
 * every backend but memory; default ""). Empty variables count as unset. S3 credentials come from
 * the SDK's default chain (`AWS_ACCESS_KEY_ID`, profiles, roles).
 *
 * @throws StateStoreError `INVALID_CONFIG`, its `field` the variable at fault.
 */
export function stateStoreConfigFromEnv(env: StateStoreEnv): StateStoreConfig {
  const read = (name: string) => (env[name] === "" ? undefined : env[name]);
  const kind = read("ASYA_STATE_STORE") ?? "memory";
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw invalid("ASYA_STATE_STORE", `must be one of ${KINDS.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  const prefix = read("ASYA_STATE_PREFIX") ?? "";
  const required = (name: string, what: string) => {
    const value = read(name);
    if (value === undefined) throw invalid(name, `is required with ASYA_STATE_STORE=${kind} (${what})`);
    return value;
  };
  switch (kind as StateStoreKind) {
    case "memory":
      return { kind: "memory" };
    case "file":
      return {
        kind: "file",
        ...checked(fileStateStoreOptionsSchema, { dir: required("ASYA_STATE_DIR", "a directory"), prefix }),
      };
    case "redis":
      return {
        kind: "redis",
        ...checked(redisStateStoreOptionsSchema, {
          url: required("ASYA_STATE_URL", "a redis:// URL"),
          prefix,
        }),
      };
    case "postgres":
      return {
        kind: "postgres",
        ...checked(postgresStateStoreOptionsSchema, {
          connectionString: required("ASYA_STATE_URL", "a postgres:// URL"),
          prefix,
        }),
      };
    case "s3": {
      const endpoint = read("ASYA_STATE_S3_ENDPOINT");
      const region = read("ASYA_AWS_REGION") ?? read("AWS_REGION") ?? "us-east-1";
      return {
        kind: "s3",
        ...checked(s3StateStoreOptionsSchema, {
          bucket: required("ASYA_STATE_BUCKET", "a bucket name"),
          prefix,
          region,
          ...(endpoint === undefined ? {} : { endpoint }),
        }),
      };
    }
  }
}

/**
 * Creates the store that `env` configures ({@link stateStoreConfigFromEnv}).
 *
 * @throws StateStoreError `INVALID_CONFIG` naming the variable, `MISSING_DEPENDENCY` without the SDK.
 * @example
 * ```ts
 * const store = await stateStoreFromEnv(process.env);
 * ```
 */
export async function stateStoreFromEnv(env: StateStoreEnv): Promise<StateStore> {
  return createStateStore(stateStoreConfigFromEnv(env));
}

/** `input` validated by a backend's schema (defaults left to the factory); problems name the variable. */
function checked<S extends z.ZodType, I extends object>(schema: S, input: I): I {
  const result = schema.safeParse(input);
  if (result.success) return input;
  const issue = result.error.issues[0];
  const option = String(issue?.path[0] ?? "");
  // The value is not echoed: a URL may hold a password.
  throw invalid(VARIABLE_OF[option] ?? option, issue?.message ?? "is invalid");
}

function invalid(variable: string, problem: string): StateStoreError {
  return new StateStoreError(`${variable} ${problem}`, { code: "INVALID_CONFIG", field: variable });
}
