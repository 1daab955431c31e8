import { parseJsonValue, serializeJsonValue } from "@asya/envelope";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

// parseJsonValue / serializeJsonValue (a payload stored on its own, e.g. by claim-check) refuse
// exactly what a walk of the parsed value would: nesting deeper than maxDepth, forbidden keys.
// The text scan decides most documents without the walk; this checks the verdicts agree.

function depthOf(value: unknown): number {
  if (value === null || typeof value !== "object") return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

/** Strings full of what a text scan could mistake for structure. */
const tricky = fc.stringMatching(/^[[\]{}"\\a,:]{0,12}$/);
/** Arrays nested `n` deep around `inner`. */
const nest = (n: number, inner: unknown): unknown => (n === 0 ? inner : [nest(n - 1, inner)]);

describe("parseJsonValue and serializeJsonValue", () => {
  it("refuse nesting beyond maxDepth exactly as a walk counts it, whatever the strings hold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(tricky, fc.integer(), fc.dictionary(tricky, tricky, { maxKeys: 3 })), {
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        (noise, extra, maxDepth) => {
          const value = [...noise, nest(extra, '"[{\\')];
          const text = JSON.stringify(value);
          const deeper = depthOf(value) > maxDepth;
          const parsed = () => parseJsonValue(text, maxDepth);
          const serialized = () => serializeJsonValue(value, maxDepth);
          if (deeper) {
            expect(parsed).toThrow(/deeper/);
            expect(serialized).toThrow(/deeper/);
          } else {
            expect(parsed()).toEqual(value);
            expect(serialized()).toBe(text);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("decides large documents of many containers (past the cheap bound) the same way", () => {
    const records = Array.from({ length: 3_000 }, (_, i) => ({ id: i, tags: ["[", "]]", '"{'], at: { i } }));
    expect(depthOf(records)).toBe(3);
    expect(parseJsonValue(JSON.stringify(records), 3)).toEqual(records);
    expect(() => parseJsonValue(JSON.stringify(records), 2)).toThrow(/deeper/);
    expect(() => parseJsonValue(JSON.stringify([...records, nest(600, 1)]))).toThrow(/deeper than 511/);
  });

  it("refuse forbidden keys, literal or escaped", () => {
    expect(() => parseJsonValue('{"a":[{"__proto__":1}]}')).toThrow(/forbidden key/);
    expect(() => parseJsonValue('{"\\u005f_proto__":1}')).toThrow(/forbidden key/);
    expect(() => serializeJsonValue(JSON.parse('{"x":{"constructor":1}}'))).toThrow(/forbidden key/);
    expect(() => serializeJsonValue(10n)).toThrow(/cannot be serialized/);
  });
});
