import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  DEFAULT_MAX_ENVELOPE_DEPTH,
  encodeEnvelope,
  parseEnvelope,
  parseRfc3339,
  serializeEnvelope,
  utf8ByteLength,
  validateEnvelope,
} from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { expectEnvelopeError, wire } from "./helpers.js";

const text = (value: unknown) => JSON.stringify(value);

describe("parseEnvelope", () => {
  it("parses a string and a Uint8Array to the same envelope", () => {
    const body = text(wire());
    const fromString = parseEnvelope(body);
    expect(fromString).toEqual(wire());
    expect(parseEnvelope(new TextEncoder().encode(body))).toEqual(fromString);
  });

  it("keeps unknown top-level, route, status and error fields", () => {
    const input = wire({
      extra: { a: [1, null] },
      route: { prev: [], curr: "a", next: [], hops: 3 },
      status: { phase: "failed", node: "w-1", error: { type: "E", message: "m", code: 7 } },
    });
    expect(JSON.parse(serializeEnvelope(parseEnvelope(text(input))))).toEqual(input);
  });

  it("accepts an exhausted route and a null payload", () => {
    const envelope = parseEnvelope(text(wire({ route: { prev: ["a"], curr: "", next: [] }, payload: null })));
    expect(envelope.route.curr).toBe("");
    expect(envelope.payload).toBeNull();
  });

  it("rejects invalid JSON and invalid UTF-8 with INVALID_JSON", () => {
    const error = expectEnvelopeError(() => parseEnvelope("{"), "INVALID_JSON");
    expect(error.cause).toBeInstanceOf(SyntaxError);
    const utf8 = expectEnvelopeError(() => parseEnvelope(new Uint8Array([0x7b, 0xff, 0x7d])), "INVALID_JSON");
    expect(utf8.message).toContain("UTF-8");
  });

  it("rejects nesting deeper than maxDepth with INVALID_JSON, however deep", () => {
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    expect(() =>
      parseEnvelope(text(wire({ payload: JSON.parse(deep(100)) })), { maxDepth: 200 }),
    ).not.toThrow();
    const error = expectEnvelopeError(
      () => parseEnvelope(`{"id":"a","payload":${deep(DEFAULT_MAX_ENVELOPE_DEPTH)}}`),
      "INVALID_JSON",
    );
    expect(error.path?.[0]).toBe("payload");
    expectEnvelopeError(() => parseEnvelope(deep(1_000_000)), "INVALID_JSON");
  });

  it("rejects bodies over maxBytes with TOO_LARGE before decoding", () => {
    const bytes = new Uint8Array(101).fill(0xff); // not UTF-8 either: size wins
    expectEnvelopeError(() => parseEnvelope(bytes, { maxBytes: 100 }), "TOO_LARGE");
    expect(() => parseEnvelope(text(wire()), { maxBytes: 1000 })).not.toThrow();
    // Multi-byte characters count in bytes, not UTF-16 units.
    const body = text(wire({ payload: "é".repeat(60) }));
    expectEnvelopeError(() => parseEnvelope(body, { maxBytes: body.length + 30 }), "TOO_LARGE");
    expect(() => parseEnvelope(body, { maxBytes: body.length + 60 })).not.toThrow();
    expect(DEFAULT_MAX_ENVELOPE_BYTES).toBe(10 * 1024 * 1024);
    const big = `"${"a".repeat(DEFAULT_MAX_ENVELOPE_BYTES)}"`;
    expectEnvelopeError(() => parseEnvelope(big), "TOO_LARGE");
  });

  it.each([
    ["__proto__", '{"id":"a","payload":{"__proto__":{"admin":true}}}', ["payload", "__proto__"]],
    ["constructor", '{"id":"a","headers":{"x":[{"constructor":1}]}}', ["headers", "x", 0, "constructor"]],
    ["prototype", '{"prototype":1}', ["prototype"]],
    ["escaped __proto__", '{"payload":{"\\u005f_proto__":1}}', ["payload", "__proto__"]],
  ])("rejects the forbidden key %s with FORBIDDEN_KEY and its path", (_name, body, path) => {
    const error = expectEnvelopeError(() => parseEnvelope(body), "FORBIDDEN_KEY");
    expect(error.path).toEqual(path);
    expect(Object.prototype).not.toHaveProperty("admin");
  });

  it("finds forbidden keys spelled with any \\u escape", () => {
    for (const key of ["__proto__", "constructor", "prototype"]) {
      for (let i = 0; i < key.length; i++) {
        const code = key.charCodeAt(i).toString(16).padStart(4, "0");
        for (const hex of [code, code.toUpperCase()]) {
          const spelled = `${key.slice(0, i)}\\u${hex}${key.slice(i + 1)}`;
          const error = expectEnvelopeError(
            () => parseEnvelope(`{"payload":{"${spelled}":1}}`),
            "FORBIDDEN_KEY",
          );
          expect(error.path).toEqual(["payload", key]);
        }
      }
    }
  });

  it("accepts nesting of exactly maxDepth and rejects one more", () => {
    const nested = (levels: number) =>
      `{"id":"a","route":{"prev":[],"curr":"a","next":[]},"payload":${"[".repeat(levels)}${"]".repeat(levels)}}`;
    expect(() => parseEnvelope(nested(9), { maxDepth: 10 })).not.toThrow();
    expectEnvelopeError(() => parseEnvelope(nested(10), { maxDepth: 10 }), "INVALID_JSON");
    // Brackets inside strings only make the cheap pre-check walk; they never count as depth.
    expect(() =>
      parseEnvelope(text(wire({ payload: "[[[[[[[[[[[[{{{{{{" })), { maxDepth: 10 }),
    ).not.toThrow();
  });

  it("allows forbidden words as values", () => {
    expect(parseEnvelope(text(wire({ payload: ["__proto__", { k: "constructor" }] }))).payload).toEqual([
      "__proto__",
      { k: "constructor" },
    ]);
  });

  it.each([
    ["missing id", { id: undefined }, "id"],
    ["empty id", { id: "" }, "id"],
    ["missing route", { route: undefined }, "route"],
    ["missing route.curr", { route: { prev: [], next: [] } }, "route.curr"],
    ["non-string route.curr", { route: { prev: [], curr: 1, next: [] } }, "route.curr"],
    ["non-string actor in next", { route: { prev: [], curr: "a", next: ["b", 2] } }, "route.next[1]"],
    ["invalid actor in prev", { route: { prev: ["Bad_Name"], curr: "a", next: [] } }, "route.prev[0]"],
    ["missing payload", { payload: undefined }, "payload"],
    ["non-string phase", { status: { phase: 3 } }, "status.phase"],
    ["negative attempt", { status: { phase: "pending", attempt: -1 } }, "status.attempt"],
    ["error without type", { status: { phase: "failed", error: { message: "m" } } }, "status.error.type"],
    ["non-string timestamp", { status: { phase: "pending", created_at: 1708862400 } }, "status.created_at"],
  ])("rejects %s with INVALID_ENVELOPE naming the field", (_name, overrides, field) => {
    const error = expectEnvelopeError(() => parseEnvelope(text(wire(overrides))), "INVALID_ENVELOPE");
    expect(error.message).toContain(`${field}:`);
    expect(error.issues?.length).toBeGreaterThan(0);
    expect(error.path?.join(".").replace(/\.(\d+)/g, "[$1]")).toBe(field);
  });

  it("rejects bodies that are neither string nor bytes with INVALID_JSON", () => {
    for (const body of [null, undefined, 42, {}, new ArrayBuffer(2)]) {
      expectEnvelopeError(() => parseEnvelope(body as unknown as string), "INVALID_JSON");
    }
    expect(parseEnvelope(Buffer.from(text(wire())))).toEqual(wire());
  });

  it("reads Asya's status liberally and carries it through unchanged (SPEC 1)", () => {
    for (const status of [
      { phase: "awaiting_approval", reason: "test-reason" },
      { phase: "working", attempt: 0, max_attempts: 0 },
      { phase: "succeeded", reason: "Completed", max_attempts: 0 },
      { phase: "pending", deadline_at: "not-a-timestamp" },
      { phase: "pending", deadline_at: "1708862400" },
      { phase: "pending", deadline_at: "2024-02-25 12:00:00", created_at: "2024-02-25 12:00:00" },
      { phase: "pending", updated_at: "2026-11-24T10:00:02.123456789+01:00" },
    ]) {
      const body = text(wire({ status }));
      expect(parseEnvelope(body).status).toEqual(status);
      expect(serializeEnvelope(parseEnvelope(body))).toBe(body);
    }
  });

  it("parseRfc3339: instants of RFC 3339 stamps from Go and Python; nothing for anything else", () => {
    const at = (value: string) => parseRfc3339(value);
    expect(at("2026-11-24T10:00:02Z")).toBe(Date.UTC(2026, 10, 24, 10, 0, 2));
    expect(at("2026-11-24T10:00:02.123456789Z")).toBe(Date.UTC(2026, 10, 24, 10, 0, 2, 123));
    expect(at("2026-11-24T10:00:02.123456+00:00")).toBe(Date.UTC(2026, 10, 24, 10, 0, 2, 123));
    expect(at("2026-02-25T12:00:00+05:00")).toBe(Date.UTC(2026, 1, 25, 7, 0, 0));
    // As Asya's Go sidecar (time.RFC3339): these are "no deadline" there, so here too.
    for (const bad of [
      "2026-02-25 12:00:00Z",
      "2026-11-24t10:00:02z",
      "2026-11-24T10:00:02",
      "2024-02-25 12:00:00",
      "1708862400",
      "not-a-timestamp",
      "2026-11-24T10:00Z",
      "2026-13-24T10:00:02Z",
      "2026-11-24T10:00:02+0000",
      "",
    ]) {
      expect(at(bad), bad).toBeUndefined();
    }
    expect(parseRfc3339(1708862400)).toBeUndefined();
  });

  it("rejects non-object JSON with INVALID_ENVELOPE", () => {
    for (const body of ["null", "[]", '"x"', "42"])
      expectEnvelopeError(() => parseEnvelope(body), "INVALID_ENVELOPE");
  });
});

describe("serializeEnvelope / encodeEnvelope", () => {
  it("serializes to JSON and encodes to the same UTF-8 bytes", () => {
    const envelope = parseEnvelope(text(wire({ payload: { text: "Grüße 😀" } })));
    const serialized = serializeEnvelope(envelope);
    expect(JSON.parse(serialized)).toEqual(envelope);
    expect(new TextDecoder().decode(encodeEnvelope(envelope))).toBe(serialized);
  });

  it("refuses to emit what parse would reject", () => {
    const envelope = validateEnvelope(wire());
    expectEnvelopeError(
      () => serializeEnvelope({ ...envelope, payload: JSON.parse('{"__proto__":1}') }),
      "FORBIDDEN_KEY",
    );
    expectEnvelopeError(() => serializeEnvelope({ ...envelope, payload: { n: 1n } }), "INVALID_JSON");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expectEnvelopeError(() => serializeEnvelope({ ...envelope, payload: cycle }), "INVALID_JSON");
  });
});

describe("validateEnvelope", () => {
  it("validates a plain object", () => {
    expect(validateEnvelope(wire())).toEqual(wire());
    expectEnvelopeError(() => validateEnvelope({}), "INVALID_ENVELOPE");
  });
});

describe("utf8ByteLength", () => {
  it("counts UTF-8 bytes", () => {
    for (const s of ["", "abc", "é", "日本", "😀", "a\u{10FFFF}b"]) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).byteLength);
    }
  });
});
