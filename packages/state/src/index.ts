// Durable state for crew actors (GATEWAY.md sections 5 and 6): one interface, several backends.
export { createMemoryStateStore } from "./memory-store.js";
export { checkKey, checkTtl, StateStoreError, type StateStoreErrorCode } from "./state-error.js";
export type { JsonValue, PutOptions, StateStore, StateStoreKind } from "./state-store.js";
