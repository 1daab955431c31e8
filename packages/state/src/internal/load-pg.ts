import { createRequire } from "node:module";
import type { Pool, PoolConfig } from "pg";
import { loadOptional } from "./load-optional.js";

let pgPool: Promise<typeof Pool> | undefined;

/**
 * Loads pg's Pool on first use (memory and file store users never load pg). A copy of `loadPg` in
 * packages/gateway/src/store/postgres-store.ts (keep the two in step): pg's entry point subclasses
 * require("pg-pool"), and a host that resolves require() with the "import" condition (vitest passes
 * its resolve conditions to Node as --conditions; some bundlers do the same) hands it pg-pool's ESM
 * namespace instead, so loading pg throws. Detect that host and bind pg's parts the way its entry
 * point does.
 *
 * @throws StateStoreError `MISSING_DEPENDENCY` when pg is not installed.
 */
export function loadPgPool(): Promise<typeof Pool> {
  pgPool ??= loadOptional("pg", async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve("pg/lib/index.js");
    const poolPath = createRequire(entry).resolve("pg-pool");
    if (!/\.mjs$/.test(poolPath)) {
      const pg = await import("pg");
      return pg.Pool;
    }
    const PgClient = require("pg/lib/client.js") as unknown;
    const poolModule = require(poolPath) as { default?: unknown };
    const PgPool = (poolModule.default ?? poolModule) as new (
      options: PoolConfig | undefined,
      client: unknown,
    ) => Pool;
    class BoundPool extends PgPool {
      constructor(options?: PoolConfig) {
        super(options, PgClient);
      }
    }
    return BoundPool as unknown as typeof Pool;
  }).catch((error: unknown) => {
    pgPool = undefined; // installing pg later (or a transient failure) is not remembered as missing
    throw error;
  });
  return pgPool;
}
