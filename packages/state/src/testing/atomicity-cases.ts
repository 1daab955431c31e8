import { expect, it } from "vitest";
import type { StateStore } from "../state-store.js";
import { type Harness, until } from "./harness.js";

/** The stores that race in a test: two instances on a shared backend, else one store twice. */
async function racers(h: Harness): Promise<[StateStore, StateStore]> {
  const first = await h.store();
  return [first, h.shared ? await h.store() : first];
}

/** Fires `count` putIfAbsent calls at once, alternating between the racers; returns the winners' ids. */
async function race(stores: [StateStore, StateStore], key: string, count: number, ttlMs?: number) {
  const results = await Promise.all(
    Array.from({ length: count }, (_, id) =>
      stores[id % 2]!.putIfAbsent(key, { id }, ttlMs === undefined ? undefined : { ttlMs }),
    ),
  );
  return results.flatMap((won, id) => (won ? [id] : []));
}

/** putIfAbsent's one-winner guarantee and TTL expiry. */
export function atomicityCases(h: Harness): void {
  it("putIfAbsent creates a missing key once: true, then false, and the first value stays", async () => {
    const store = await h.store();
    expect(await store.putIfAbsent(h.key("k"), "first")).toBe(true);
    expect(await store.putIfAbsent(h.key("k"), "second")).toBe(false);
    expect(await store.get(h.key("k"))).toBe("first");
    await store.put(h.key("k"), "put");
    expect(await store.putIfAbsent(h.key("k"), "third")).toBe(false);
    expect(await store.get(h.key("k"))).toBe("put");
  });

  it("of 20 concurrent putIfAbsent calls on one key, exactly one wins and its value is stored", async () => {
    const store = await h.store();
    const winners = await race([store, store], h.key("contended"), 20);
    expect(winners).toHaveLength(1);
    expect(await store.get(h.key("contended"))).toEqual({ id: winners[0] });
  });

  if (h.shared) {
    it("of 20 concurrent putIfAbsent calls from two store instances, exactly one wins", async () => {
      const stores = await racers(h);
      const winners = await race(stores, h.key("contended"), 20);
      expect(winners).toHaveLength(1);
      expect(await stores[0].get(h.key("contended"))).toEqual({ id: winners[0] });
      expect(await stores[1].get(h.key("contended"))).toEqual({ id: winners[0] });
    });
  } else {
    it("two store instances do not share entries", async () => {
      const [a, b] = [await h.store(), await h.store()];
      await a.put(h.key("k"), 1);
      expect(await b.get(h.key("k"))).toBeUndefined();
      expect(await b.putIfAbsent(h.key("k"), 2)).toBe(true);
      expect(await a.get(h.key("k"))).toBe(1);
    });
  }

  it("an entry with ttlMs expires: get, listByPrefix and putIfAbsent then treat it as absent", async () => {
    const store = await h.store();
    const ttl = { ttlMs: h.shortTtlMs };
    await store.put(h.key("ttl/put"), "p", ttl);
    expect(await store.putIfAbsent(h.key("ttl/created"), "c", ttl)).toBe(true);
    await store.put(h.key("ttl/kept"), "no ttl");
    await store.put(h.key("ttl/made-permanent"), "old", ttl);
    await store.put(h.key("ttl/made-permanent"), "new"); // a put without ttlMs drops the TTL
    // Written last, so it expires last: once it is gone, so are the others.
    await store.put(h.key("sentinel"), 1, ttl);
    expect(await store.get(h.key("ttl/put"))).toBe("p");
    expect(await store.listByPrefix(h.key("ttl/"))).toHaveLength(4);
    await until(
      async () => (await store.get(h.key("sentinel"))) === undefined,
      h.ms(5_000),
      "sentinel expired",
    );
    // listByPrefix first, before any get met the expired entries.
    expect(await store.listByPrefix(h.key("ttl/"))).toEqual([h.key("ttl/kept"), h.key("ttl/made-permanent")]);
    expect(await store.get(h.key("ttl/put"))).toBeUndefined();
    expect(await store.get(h.key("ttl/created"))).toBeUndefined();
    expect(await store.get(h.key("ttl/made-permanent"))).toBe("new");
    expect(await store.putIfAbsent(h.key("ttl/created"), "again")).toBe(true);
    expect(await store.putIfAbsent(h.key("ttl/put"), "again", { ttlMs: 60_000 })).toBe(true);
    expect(await store.get(h.key("ttl/created"))).toBe("again");
    expect(await store.putIfAbsent(h.key("ttl/created"), "third")).toBe(false);
  });

  it("of concurrent re-creations of an expired key, exactly one wins", async () => {
    const stores = await racers(h);
    const key = h.key("expiring");
    expect(await stores[0].putIfAbsent(key, "old", { ttlMs: h.shortTtlMs })).toBe(true);
    // Poll another key that expires after it: the racers must meet the expired entry itself, not
    // one that a read already cleaned up.
    await stores[0].put(h.key("sentinel"), 1, { ttlMs: h.shortTtlMs });
    await until(
      async () => (await stores[0].get(h.key("sentinel"))) === undefined,
      h.ms(5_000),
      "sentinel expired",
    );
    const winners = await race(stores, key, 4, 60_000);
    expect(winners).toHaveLength(1);
    expect(await stores[0].get(key)).toEqual({ id: winners[0] });
    expect(await stores[1].get(key)).toEqual({ id: winners[0] });
  });
}
