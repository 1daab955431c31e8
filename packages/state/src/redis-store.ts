import type { Redis } from "ioredis";
import { z } from "zod";
import { createClosedGate } from "./internal/closed-gate.js";
import { decodeValue, encodeValue, sortedKeys } from "./internal/json-value.js";
import { checkUtf8Key } from "./internal/key-codec.js";
import { loadOptional } from "./internal/load-optional.js";
import { parseOptions } from "./internal/parse-options.js";
import { redactText, redactUrl } from "./internal/redact.js";
import { checkLimit, checkTtl, StateStoreError } from "./state-error.js";
import type { StateStore } from "./state-store.js";

const positiveInt = z.number().int().positive();

/** zod schema of {@link RedisStateStoreOptions} (validated once in the factory). */
export const redisStateStoreOptionsSchema = z.strictObject({
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS). Never logged: messages show it redacted. */
  url: z.string().regex(/^rediss?:\/\/./, "must be a redis:// or rediss:// URL"),
  /** Prepended to every Redis key (e.g. `asya:state:`), so stores can share a database. @default "" */
  prefix: z.string().default(""),
  /** Timeout of opening the connection. @default 5000 */
  connectTimeoutMs: positiveInt.default(5_000),
  /** Timeout of one command; a command that takes longer fails with `UNAVAILABLE`. @default 5000 */
  commandTimeoutMs: positiveInt.default(5_000),
});

/** Options of {@link createRedisStateStore}. */
export type RedisStateStoreOptions = z.input<typeof redisStateStoreOptionsSchema>;

/**
 * A store in Redis (one server or a primary with replicas; not Redis Cluster): one string key per
 * entry holding its JSON, `SET NX PX` for `putIfAbsent`, native expiry for TTLs (Redis evicts
 * expired keys itself), `SCAN MATCH` for `listByPrefix`. Atomic across all processes and machines
 * using the server. Connects on first use and reconnects by itself; an unreachable server fails
 * commands with `UNAVAILABLE` (retryable) instead of queueing them for long. Needs `ioredis`.
 *
 * @throws StateStoreError `INVALID_CONFIG` for bad options, `MISSING_DEPENDENCY` without ioredis.
 * @example
 * ```ts
 * const store = await createRedisStateStore({ url: "redis://127.0.0.1:6379", prefix: "asya:state:" });
 * await store.put("checkpoint/task-1", { step: 3 }, { ttlMs: 86_400_000 });
 * ```
 */
export async function createRedisStateStore(options: RedisStateStoreOptions): Promise<StateStore> {
  const { url, prefix, connectTimeoutMs, commandTimeoutMs } = parseOptions(
    redisStateStoreOptionsSchema,
    options,
    "redis store",
  );
  const { Redis: RedisClient } = await loadOptional("ioredis", () => import("ioredis"));
  const client: Redis = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // While the server is down a command fails at the next failed reconnection (within ~1 s), not
    // after many: a state call must not hang.
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    // A command in flight when the connection drops fails (UNAVAILABLE: it may or may not have been
    // applied) instead of being sent again: a resent SET NX would answer "exists" to its own write.
    autoResendUnfulfilledCommands: false,
  });
  // Connection errors surface through the commands that fail; without a listener ioredis logs them.
  client.on("error", () => {});
  const gate = createClosedGate("redis");
  const call = async <T>(body: () => Promise<T>): Promise<T> => {
    gate.check();
    try {
      return await body();
    } catch (error) {
      throw classifyRedisError(error, url);
    }
  };
  const redisKey = (key: string) => {
    gate.check();
    checkUtf8Key(key);
    return prefix + key;
  };

  return {
    kind: "redis",
    async get(key) {
      const name = redisKey(key);
      const json = await call(() => client.get(name));
      return json === null ? undefined : decodeValue(json, `redis key ${JSON.stringify(name)}`);
    },
    async putIfAbsent(key, value, opts) {
      const name = redisKey(key);
      checkTtl(opts?.ttlMs);
      const json = encodeValue(value);
      const ttlMs = opts?.ttlMs;
      const reply = await call(() =>
        ttlMs === undefined ? client.set(name, json, "NX") : client.set(name, json, "PX", ttlMs, "NX"),
      );
      return reply === "OK";
    },
    async put(key, value, opts) {
      const name = redisKey(key);
      checkTtl(opts?.ttlMs);
      const json = encodeValue(value);
      const ttlMs = opts?.ttlMs;
      await call(() => (ttlMs === undefined ? client.set(name, json) : client.set(name, json, "PX", ttlMs)));
    },
    async delete(key) {
      const name = redisKey(key);
      await call(() => client.del(name));
    },
    async listByPrefix(keyPrefix, opts) {
      gate.check();
      checkLimit(opts?.limit);
      const pattern = `${escapeGlob(prefix + keyPrefix)}*`;
      const keys = new Set<string>();
      // SCAN visits every key once per full pass (and may return one twice, hence the set); the
      // server skips expired keys. Sorting needs the whole set, so the pass always completes.
      let cursor = "0";
      do {
        const [next, batch] = await call(() => client.scan(cursor, "MATCH", pattern, "COUNT", 1_000));
        for (const name of batch) keys.add(name.slice(prefix.length));
        cursor = next;
      } while (cursor !== "0");
      return sortedKeys(keys, opts?.limit);
    },
    async ready() {
      if (gate.closed) return false;
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      if (!gate.close()) return;
      // QUIT would first (re)connect a client that is not connected.
      if (client.status !== "ready") {
        client.disconnect();
        return;
      }
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** `text` with Redis glob metacharacters (`* ? [ ] \`) escaped, for a literal prefix in `MATCH`. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Sorts an ioredis error: connection trouble, timeouts and a busy or loading server are
 * `UNAVAILABLE` (retryable); refused credentials are `INVALID_CONFIG`; any other error reply is
 * `BACKEND_ERROR`. Messages never contain the URL's credentials.
 */
export function classifyRedisError(error: unknown, url: string): StateStoreError {
  if (error instanceof StateStoreError) return error;
  const text = redactText(String((error as Error)?.message ?? error), url);
  const message = `redis ${redactUrl(url)}: ${text}`;
  const name = (error as Error)?.name ?? "";
  const code = String((error as NodeJS.ErrnoException)?.code ?? "");
  if (name === "ReplyError") {
    if (/^(NOAUTH|WRONGPASS|NOPERM)/.test(text)) {
      return new StateStoreError(message, { code: "INVALID_CONFIG", field: "url", cause: error });
    }
    const busy = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM)/.test(text);
    return new StateStoreError(message, { code: busy ? "UNAVAILABLE" : "BACKEND_ERROR", cause: error });
  }
  const connection =
    name === "MaxRetriesPerRequestError" ||
    /^E[A-Z]+$/.test(code) ||
    /Connection is closed|Command timed out|connect ETIMEDOUT|Stream isn't writeable/i.test(text);
  return new StateStoreError(message, { code: connection ? "UNAVAILABLE" : "BACKEND_ERROR", cause: error });
}
