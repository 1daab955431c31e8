// Durable state for crew actors (GATEWAY.md sections 5 and 6): one interface, several backends.
export { createStateStore, type StateStoreConfig } from "./create-state-store.js";
export {
  createFileStateStore,
  type FileStateStoreOptions,
  fileStateStoreOptionsSchema,
} from "./file-store.js";
export { createMemoryStateStore } from "./memory-store.js";
export {
  classifyPostgresError,
  createPostgresStateStore,
  type PostgresStateStoreOptions,
  postgresStateStoreOptionsSchema,
} from "./postgres-store.js";
export {
  classifyRedisError,
  createRedisStateStore,
  type RedisStateStoreOptions,
  redisStateStoreOptionsSchema,
} from "./redis-store.js";
export { classifyS3Error } from "./s3-errors.js";
export { createS3StateStore, type S3StateStoreOptions, s3StateStoreOptionsSchema } from "./s3-store.js";
export {
  checkKey,
  checkLimit,
  checkTtl,
  StateStoreError,
  type StateStoreErrorCode,
} from "./state-error.js";
export type { JsonValue, PutOptions, StateStore, StateStoreKind } from "./state-store.js";
export {
  type StateStoreEnv,
  stateStoreConfigFromEnv,
  stateStoreFromEnv,
} from "./state-store-from-env.js";
