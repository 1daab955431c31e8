import { StateStoreError } from "../state-error.js";

/** The open/closed state of a store: `check()` throws `CLOSED` once `close()` ran. */
export interface ClosedGate {
  readonly closed: boolean;
  check(): void;
  /** Marks the store closed; `true` the first time (so `close()` releases resources once). */
  close(): boolean;
}

export function createClosedGate(kind: string): ClosedGate {
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    check() {
      if (closed) throw new StateStoreError(`the ${kind} store is closed`, { code: "CLOSED" });
    },
    close() {
      if (closed) return false;
      closed = true;
      return true;
    },
  };
}
