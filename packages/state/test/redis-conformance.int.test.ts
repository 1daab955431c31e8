import { randomBytes } from "node:crypto";
import { createRedisStateStore } from "@asya/state";
import { describeStateStoreConformance } from "@asya/state/testing";
import { afterAll, expect, inject, it } from "vitest";

// The private redis-server of this run (test/setup/redis.ts); a prefix per file keeps runs apart.
const url = inject("redisUrl") || process.env.ASYA_TEST_REDIS_URL || "";
const prefix = `asya-test-${randomBytes(4).toString("hex")}:`;

afterAll(async () => {
  // Delete what this file wrote (matters only with an external ASYA_TEST_REDIS_URL).
  const { Redis } = await import("ioredis");
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
});

describeStateStoreConformance("redis", { create: () => createRedisStateStore({ url, prefix }) });

it("keeps entries under the prefix, as JSON strings with a millisecond TTL", async () => {
  const store = await createRedisStateStore({ url, prefix });
  const { Redis } = await import("ioredis");
  const redis = new Redis(url);
  try {
    await store.put("raw/k", { a: [1, "é"] }, { ttlMs: 60_000 });
    expect(await redis.get(`${prefix}raw/k`)).toBe('{"a":[1,"é"]}');
    const ttl = await redis.pttl(`${prefix}raw/k`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await store.put("raw/k", 1);
    expect(await redis.pttl(`${prefix}raw/k`)).toBe(-1);
  } finally {
    redis.disconnect();
    await store.close();
  }
});
