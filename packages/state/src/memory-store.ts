import { encodeValue } from "./internal/json-value.js";
import { checkKey, checkLimit, checkTtl, StateStoreError } from "./state-error.js";
import type { JsonValue, PutOptions, StateStore } from "./state-store.js";

/** A store in this process only (tests, `asya flow run`): lost on exit, not shared. */
export function createMemoryStateStore(): StateStore {
  const entries = new Map<string, { json: string; expiresAtMs: number }>();
  let closed = false;
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const open = () => {
    if (closed) throw new StateStoreError("the store is closed", { code: "CLOSED" });
  };
  const write = (key: string, value: JsonValue, options?: PutOptions) => {
    checkTtl(options?.ttlMs);
    entries.set(key, {
      json: encodeValue(value),
      expiresAtMs: options?.ttlMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.ttlMs,
    });
  };
  return {
    kind: "memory",
    async get(key) {
      open();
      checkKey(key);
      const entry = live(key);
      return entry === undefined ? undefined : (JSON.parse(entry.json) as JsonValue);
    },
    async putIfAbsent(key, value, options) {
      open();
      checkKey(key);
      if (live(key) !== undefined) return false;
      write(key, value, options);
      return true;
    },
    async put(key, value, options) {
      open();
      checkKey(key);
      write(key, value, options);
    },
    async delete(key) {
      open();
      checkKey(key);
      entries.delete(key);
    },
    async listByPrefix(prefix, options) {
      open();
      checkLimit(options?.limit);
      const keys = [...entries.keys()].filter((key) => key.startsWith(prefix) && live(key) !== undefined);
      return keys.sort().slice(0, options?.limit ?? 10_000);
    },
    async ready() {
      return !closed;
    },
    async close() {
      closed = true;
      entries.clear();
    },
  };
}
