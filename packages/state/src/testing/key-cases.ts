import { expect, it } from "vitest";
import { expectStateError, type Harness } from "./harness.js";

/** listByPrefix, the keys a store must accept, and what it must refuse. */
export function keyCases(h: Harness): void {
  it("listByPrefix lists live keys with the prefix in code-unit order, at most limit", async () => {
    const store = await h.store();
    // Code-unit order differs from code-point (UTF-8) order between the emoji and U+FF21.
    const inside = [
      "list/",
      "list/b",
      "list/a",
      "list/a/1",
      "list/Z",
      "list/~",
      "list/é",
      "list/😀",
      "list/Ａ",
    ];
    const outside = ["list", "lisT/a", "other/list/a"];
    await Promise.all([...inside, ...outside].map((suffix, index) => store.put(h.key(suffix), index)));
    const expected = inside.map((suffix) => h.key(suffix)).sort();
    expect(expected.at(-1)).toBe(h.key("list/Ａ"));
    expect(await store.listByPrefix(h.key("list/"))).toEqual(expected);
    expect(await store.listByPrefix(h.key("list/"), { limit: 3 })).toEqual(expected.slice(0, 3));
    expect(await store.listByPrefix(h.key("list/"), { limit: 8 })).toEqual(expected.slice(0, 8));
    expect(await store.listByPrefix(h.key("list/"), { limit: 0 })).toEqual([]);
    expect(await store.listByPrefix(h.key("nothing/"))).toEqual([]);
    await store.delete(h.key("list/b"));
    expect(await store.listByPrefix(h.key("list/b"))).toEqual([]);
  });

  it("listByPrefix matches the prefix literally: glob, LIKE and escape characters are no patterns", async () => {
    const store = await h.store();
    const special = "a*b?[x]%_/";
    const matching = [`${special}1`, `${special}2`, special];
    // Each decoy matches the prefix read as a Redis glob or a SQL LIKE pattern, not literally.
    const decoys = ["aQb!x%_/glob", "a*b?[x]ANY!/like", "a*b?[x]%_", "a*b?[x]%"];
    const slashed = "back\\slash%";
    await Promise.all(
      [...matching, ...decoys, `${slashed}1`, "backslash%2", "backslash%"].map((suffix) =>
        store.put(h.key(suffix), 1),
      ),
    );
    expect(await store.listByPrefix(h.key(special))).toEqual(matching.map((suffix) => h.key(suffix)).sort());
    expect(await store.listByPrefix(h.key(slashed))).toEqual([h.key(`${slashed}1`)]);
  });

  it("keys may hold slashes, dots, spaces, percent signs, control characters, unicode and be 512 characters", async () => {
    const store = await h.store();
    const room = 512 - h.key().length;
    const suffixes = [
      "a/b//c/",
      " lead and trail ",
      "./../.",
      "x%2Fy",
      "x/y",
      "Case",
      "case",
      "line\nbreak\ttab\r",
      "ключ/鍵/🔑",
      "'; DROP TABLE x; --",
      "k".repeat(room),
      "é".repeat(room),
      "😀".repeat(Math.floor(room / 2)),
    ];
    const keys = suffixes.map((suffix) => h.key(suffix));
    expect(Math.max(...keys.map((key) => key.length))).toBe(512);
    await Promise.all(keys.map((key, index) => store.put(key, { index })));
    expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual(keys.map((_, index) => ({ index })));
    expect(await store.listByPrefix(h.key())).toEqual([...keys].sort());
    expect(await store.putIfAbsent(keys.at(-1)!, "again")).toBe(false);
    await Promise.all(keys.map((key) => store.delete(key)));
    expect(await store.listByPrefix(h.key())).toEqual([]);
  });

  it("an invalid key, TTL or limit is INVALID_ARGUMENT, and nothing is written", async () => {
    const store = await h.store();
    const key = h.key("k");
    for (const bad of ["", "x".repeat(513)]) {
      await expectStateError(store.get(bad), "INVALID_ARGUMENT");
      await expectStateError(store.put(bad, 1), "INVALID_ARGUMENT");
      await expectStateError(store.putIfAbsent(bad, 1), "INVALID_ARGUMENT");
      await expectStateError(store.delete(bad), "INVALID_ARGUMENT");
    }
    for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectStateError(store.put(key, 1, { ttlMs }), "INVALID_ARGUMENT");
      await expectStateError(store.putIfAbsent(key, 1, { ttlMs }), "INVALID_ARGUMENT");
    }
    for (const limit of [-1, 1.5]) {
      await expectStateError(store.listByPrefix(h.key(), { limit }), "INVALID_ARGUMENT");
    }
    expect(await store.get(key)).toBeUndefined();
  });

  it("ready() answers true; after close() every call rejects with CLOSED and ready() answers false", async () => {
    const store = await h.store();
    expect(await store.ready()).toBe(true);
    await store.put(h.key("k"), 1);
    await store.close();
    await expectStateError(store.get(h.key("k")), "CLOSED");
    await expectStateError(store.put(h.key("k"), 2), "CLOSED");
    await expectStateError(store.putIfAbsent(h.key("k"), 2), "CLOSED");
    await expectStateError(store.delete(h.key("k")), "CLOSED");
    await expectStateError(store.listByPrefix(h.key()), "CLOSED");
    expect(await store.ready()).toBe(false);
    await store.close(); // twice is fine
  });
}
