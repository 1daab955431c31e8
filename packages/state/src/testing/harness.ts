import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { StateStoreErrorCode } from "../state-error.js";
import type { StateStore } from "../state-store.js";

/** Options of {@link describeStateStoreConformance}. */
export interface StateStoreConformanceOptions {
  /** A fresh store on the backend under test; called once or twice per test. The suite closes it. */
  create(): Promise<StateStore>;
  /**
   * Whether two stores from `create()` see the same entries (a shared backend). With `false`
   * (the memory store) the cross-instance cases check that instances are isolated instead.
   * @default true
   */
  readonly shared?: boolean;
  /** Multiplies every timing tolerance (not the TTLs under test) for slow backends. @default 1 */
  readonly timeScale?: number;
  /**
   * The TTL of the expiry cases: entries with it must still be live while a case writes and lists a
   * few keys, so a backend whose calls take tens of milliseconds (S3) needs a longer one.
   * @default 300
   */
  readonly shortTtlMs?: number;
}

/** Per-suite helper: creates stores (closed after each test) and unique keys. */
export class Harness {
  readonly shared: boolean;
  private readonly timeScale: number;
  private readonly open: StateStore[] = [];
  private namespace = "";

  constructor(private readonly options: StateStoreConformanceOptions) {
    this.shared = options.shared ?? true;
    this.timeScale = options.timeScale ?? 1;
  }

  /** A fresh store, closed after the test. */
  async store(): Promise<StateStore> {
    const store = await this.options.create();
    this.open.push(store);
    return store;
  }

  /** A key unique to this test (`conf-<hex>/<suffix>`): tests never see each other's entries. */
  key(suffix = ""): string {
    if (this.namespace === "") this.namespace = `conf-${randomBytes(5).toString("hex")}/`;
    return this.namespace + suffix;
  }

  /** The TTL of the expiry cases (see `shortTtlMs`). */
  get shortTtlMs(): number {
    return this.options.shortTtlMs ?? SHORT_TTL_MS;
  }

  ms(baseMs: number): number {
    return baseMs * this.timeScale;
  }

  async cleanup(): Promise<void> {
    this.namespace = "";
    const stores = this.open.splice(0);
    await Promise.all(stores.map((store) => store.close()));
  }
}

/** TTL of the expiry cases: short, so the suite stays fast, long enough to see the entry first. */
export const SHORT_TTL_MS = 300;

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs)} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asserts that `promise` rejects with a StateStoreError of `code` (named `[asya:state] ...`). */
export async function expectStateError(promise: Promise<unknown>, code: StateStoreErrorCode): Promise<void> {
  const error = await promise.then(
    (value: unknown) => new Error(`resolved with ${JSON.stringify(value)}`),
    (reason: unknown) => reason,
  );
  // By name, not instanceof: a store may come from another copy of this package (dist vs src).
  expect(error, String(error)).toMatchObject({ name: "StateStoreError", code });
  expect((error as Error).message).toMatch(/^\[asya:state\] /);
}
