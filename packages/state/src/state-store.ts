/** A JSON value, as state stores keep it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of a write. */
export interface PutOptions {
  /** The entry expires this long after the write: `get` and `listByPrefix` no longer see it, and `putIfAbsent` may create it again. */
  readonly ttlMs?: number;
}

/** Which backend a store is. */
export type StateStoreKind = "memory" | "file" | "redis" | "postgres" | "s3";

/**
 * Durable key-value state shared by the processes of a mesh (GATEWAY.md sections 5 and 6):
 * checkpoints of paused tasks, fan-in slices and their merge markers, de-duplication leases.
 * Keys are strings of up to 512 characters (any characters; backends encode them); values are
 * JSON. Every operation is atomic on its own, across processes (and machines, except `file` and
 * `memory`).
 */
export interface StateStore {
  readonly kind: StateStoreKind;
  /** The value under `key`, or `undefined` when there is none or it expired. */
  get(key: string): Promise<JsonValue | undefined>;
  /**
   * Creates `key` only if it has no live value (absent, or expired): the one atomic step the crew
   * actors build on (a merge marker, a lease). Of concurrent calls for one key, exactly one gets `true`.
   */
  putIfAbsent(key: string, value: JsonValue, options?: PutOptions): Promise<boolean>;
  /** Writes `key`, replacing any value. */
  put(key: string, value: JsonValue, options?: PutOptions): Promise<void>;
  /** Removes `key` (nothing when absent). */
  delete(key: string): Promise<void>;
  /** Live keys starting with `prefix`, in ascending code-unit order, at most `limit` (default 10,000). */
  listByPrefix(prefix: string, options?: { readonly limit?: number }): Promise<string[]>;
  /** Whether the backend answers (for readiness). */
  ready(): Promise<boolean>;
  /** Releases connections; further calls fail. */
  close(): Promise<void>;
}
