import { expect, it } from "vitest";
import type { JsonValue } from "../state-store.js";
import { expectStateError, type Harness } from "./harness.js";

const MIB = 1024 * 1024;

/** Every kind of JSON value, by name. */
const VALUES: readonly (readonly [string, JsonValue])[] = [
  ["empty-string", ""],
  ["string", "hello"],
  ["zero", 0],
  ["negative-float", -12.5],
  ["tiny-float", 1.5e-7],
  ["huge-number", 1e300],
  ["max-safe-integer", Number.MAX_SAFE_INTEGER],
  ["true", true],
  ["false", false],
  ["null", null],
  ["empty-array", []],
  ["empty-object", {}],
  [
    "nested",
    { a: [1, { b: [null, true, "x", [[]]] }], "key with spaces": { "": "" }, n: { m: { o: -0.5 } } },
  ],
  ["unicode", 'héllo wörld 世界 🎉 עברית \u2028\u2029 \t\n"\\ \u0001'],
  ["unicode-keys", { ключ: "значение", "🔑": ["🎉", "鍵"], "a.b": { $x: 1 } }],
];

/** get, put and delete, and values of every JSON kind. */
export function valueCases(h: Harness): void {
  it("get of a missing key is undefined", async () => {
    const store = await h.store();
    expect(await store.get(h.key("missing"))).toBeUndefined();
  });

  it("put then get round-trips every kind of JSON value", async () => {
    const store = await h.store();
    await Promise.all(VALUES.map(([name, value]) => store.put(h.key(name), value)));
    const read = await Promise.all(VALUES.map(([name]) => store.get(h.key(name))));
    expect(read).toEqual(VALUES.map(([, value]) => value));
  });

  it("round-trips a 1 MiB value, with put and putIfAbsent", async () => {
    const store = await h.store();
    const big = { blob: "x".repeat(MIB - 64), tail: "é🎉" };
    await store.put(h.key("big"), big);
    expect(await store.get(h.key("big"))).toEqual(big);
    expect(await store.putIfAbsent(h.key("big-2"), [big.blob])).toBe(true);
    expect(await store.get(h.key("big-2"))).toEqual([big.blob]);
  });

  it("put replaces a value", async () => {
    const store = await h.store();
    await store.put(h.key("k"), { v: 1 });
    await store.put(h.key("k"), "second");
    expect(await store.get(h.key("k"))).toBe("second");
  });

  it("delete removes a key; deleting a missing key is fine", async () => {
    const store = await h.store();
    await store.put(h.key("k"), 1);
    await store.delete(h.key("k"));
    expect(await store.get(h.key("k"))).toBeUndefined();
    await store.delete(h.key("k"));
    await store.delete(h.key("never-written"));
    expect(await store.putIfAbsent(h.key("k"), 2)).toBe(true);
  });

  it("a value JSON cannot hold is INVALID_ARGUMENT, and nothing is written", async () => {
    const store = await h.store();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expectStateError(store.put(h.key("k"), undefined as unknown as JsonValue), "INVALID_ARGUMENT");
    await expectStateError(store.putIfAbsent(h.key("k"), cyclic as JsonValue), "INVALID_ARGUMENT");
    expect(await store.get(h.key("k"))).toBeUndefined();
  });
}
