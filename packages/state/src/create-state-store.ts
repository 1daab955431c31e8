import { createFileStateStore, type FileStateStoreOptions } from "./file-store.js";
import { createMemoryStateStore } from "./memory-store.js";
import { createPostgresStateStore, type PostgresStateStoreOptions } from "./postgres-store.js";
import { createRedisStateStore, type RedisStateStoreOptions } from "./redis-store.js";
import { createS3StateStore, type S3StateStoreOptions } from "./s3-store.js";
import { StateStoreError } from "./state-error.js";
import type { StateStore } from "./state-store.js";

/** Which store {@link createStateStore} makes, with that backend's options. */
export type StateStoreConfig =
  | { readonly kind: "memory" }
  | ({ readonly kind: "file" } & FileStateStoreOptions)
  | ({ readonly kind: "redis" } & RedisStateStoreOptions)
  | ({ readonly kind: "postgres" } & PostgresStateStoreOptions)
  | ({ readonly kind: "s3" } & S3StateStoreOptions);

/**
 * Creates the store `config.kind` names. The SDKs of Redis, PostgreSQL and S3 (optional peer
 * dependencies) are imported only when such a store is created, so memory and file users need none.
 *
 * @throws StateStoreError `INVALID_CONFIG` for bad options, `MISSING_DEPENDENCY` without the SDK.
 * @example
 * ```ts
 * const store = await createStateStore({ kind: "file", dir: "./.asya-state" });
 * ```
 */
export async function createStateStore(config: StateStoreConfig): Promise<StateStore> {
  switch (config.kind) {
    case "memory":
      return createMemoryStateStore();
    case "file": {
      const { kind: _, ...options } = config;
      return createFileStateStore(options);
    }
    case "redis": {
      const { kind: _, ...options } = config;
      return createRedisStateStore(options);
    }
    case "postgres": {
      const { kind: _, ...options } = config;
      return createPostgresStateStore(options);
    }
    case "s3": {
      const { kind: _, ...options } = config;
      return createS3StateStore(options);
    }
    default:
      throw new StateStoreError(
        `unknown store kind ${JSON.stringify((config as { kind?: unknown }).kind)}: expected memory, file, redis, postgres or s3`,
        { code: "INVALID_CONFIG", field: "kind" },
      );
  }
}
