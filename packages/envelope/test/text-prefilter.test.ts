import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayBeUnsafe, mayBeUnsafeJson } from "../src/internal/text-prefilter.js";
import { findUnsafeNode } from "../src/internal/walk-json.js";
import { wire } from "./helpers.js";

/** The pre-filter as it was written first: count every bracket, then the two exact patterns. */
function firstMayBeUnsafe(text: string, maxDepth: number): boolean {
  let openers = 0;
  for (const char of text) if ((char === "{" || char === "[") && ++openers > maxDepth) return true;
  return (
    /"(?:__proto__|constructor|prototype)"/.test(text) || /\\u00(?:5[fF]|6[1-9a-fA-F]|7[0-9aA])/.test(text)
  );
}

/** Text made of the pieces the patterns look for, glued with noise. */
const suspiciousText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '"__proto__"',
        "__proto__",
        '"constructor"',
        'constructor"',
        '"prototype',
        'prototype"',
        "\\u005f",
        "\\u005F",
        "\\u0061",
        "\\u007a",
        "\\u007b",
        "\\u00",
        "\\u0060",
        "{",
        "[",
        "}",
        "]",
        '"',
        ":",
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

/** JSON values nested up to ~12 deep, with brackets inside strings and forbidden keys now and then. */
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom<unknown>(0, null, "[[[", "{", "]]}", "\\u005f", "s"),
    fc.array(tie("tree"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "__proto__", "constructor", "[", "{}"), tie("tree"), {
      maxKeys: 3,
    }),
  ),
}));

describe("text pre-filter", () => {
  it("mayBeUnsafe gives the verdict of the first version on any text", () => {
    fc.assert(
      fc.property(suspiciousText, fc.integer({ min: 0, max: 12 }), (text, maxDepth) => {
        expect(mayBeUnsafe(text, maxDepth)).toBe(firstMayBeUnsafe(text, maxDepth));
      }),
      { numRuns: 5000 },
    );
  });

  it("mayBeUnsafeJson never clears JSON whose value the walk would reject", () => {
    let unsafe = 0;
    fc.assert(
      fc.property(tree, fc.integer({ min: 1, max: 10 }), fc.constantFrom(0, 1), (value, maxDepth, indent) => {
        const text = JSON.stringify(value, null, indent);
        const parsed: unknown = JSON.parse(text);
        if (findUnsafeNode(parsed, maxDepth) === undefined) return;
        unsafe++;
        expect(mayBeUnsafeJson(text, maxDepth)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(unsafe).toBeGreaterThan(500);
  });

  it("mayBeUnsafeJson decides nesting by the tighter bound, at the exact limit", () => {
    const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    expect(mayBeUnsafeJson(nested(10), 10)).toBe(false);
    expect(mayBeUnsafeJson(nested(11), 10)).toBe(true);
    // 17 brackets in 20 characters: more than the limit, but 11 levels would need 22 characters.
    const brackets = JSON.stringify(["[".repeat(16)]);
    expect(mayBeUnsafeJson(brackets, 10)).toBe(false);
    expect(mayBeUnsafe(brackets, 10)).toBe(true);
    expect(mayBeUnsafeJson(JSON.stringify(wire({ payload: { a: [1, { b: [2] }] } })), 512)).toBe(false);
    expect(mayBeUnsafeJson('{"payload":{"\\u005f_proto__":1}}', 512)).toBe(true);
  });
});
