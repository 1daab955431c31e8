import { BODY_ENCODING_ATTRIBUTE, decodeSqsBody, encodeSqsBody, isSqsSafeText } from "@asya/transport-sqs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const utf8 = (value: string) => new TextEncoder().encode(value);

describe("SQS body codec", () => {
  it("sends valid UTF-8 JSON unchanged, without a marker", () => {
    const json = '{"id":"e-1","payload":{"text":"héllo ✓ 日本","emoji":"🚀"}}';
    expect(encodeSqsBody(utf8(json))).toEqual({ body: json, encoding: "text" });
  });

  it("keeps a UTF-8 byte-order mark (bytes are not normalised)", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    const encoded = encodeSqsBody(bytes);
    expect(encoded.encoding).toBe("text");
    expect([...decodeSqsBody(encoded.body, undefined)]).toEqual([...bytes]);
  });

  it("base64-encodes invalid UTF-8 and text with characters SQS rejects", () => {
    expect(encodeSqsBody(new Uint8Array([0xc3, 0x28]))).toEqual({ body: "wyg=", encoding: "base64" });
    expect(encodeSqsBody(utf8("nul\u0000inside")).encoding).toBe("base64");
    expect(encodeSqsBody(utf8("bell\u0007")).encoding).toBe("base64");
    expect(encodeSqsBody(utf8("\uFFFE")).encoding).toBe("base64");
    // Tab, LF and CR are allowed.
    expect(encodeSqsBody(utf8("a\tb\nc\rd")).encoding).toBe("text");
  });

  it("base64-encodes text above U+FFFF only when supplementary characters are disabled", () => {
    expect(encodeSqsBody(utf8("🚀")).encoding).toBe("text");
    expect(encodeSqsBody(utf8("🚀"), false).encoding).toBe("base64");
    expect(encodeSqsBody(utf8("✓"), false).encoding).toBe("text");
    expect(isSqsSafeText("🚀", false)).toBe(false);
  });

  it("encodes an empty body as a placeholder marked empty (SQS needs one character)", () => {
    const encoded = encodeSqsBody(new Uint8Array(0));
    expect(encoded.encoding).toBe("empty");
    expect(encoded.body.length).toBeGreaterThan(0);
    expect(decodeSqsBody(encoded.body, "empty").byteLength).toBe(0);
  });

  it("uses a marker attribute outside the caller's namespace", () => {
    expect(BODY_ENCODING_ATTRIBUTE).toBe("x-asya-sqs-body-encoding");
  });

  it("round-trips any bytes exactly, and the body is always SQS-safe", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, supplementary) => {
        const encoded = encodeSqsBody(bytes, supplementary);
        expect(isSqsSafeText(encoded.body, supplementary)).toBe(true);
        expect(encoded.body.length).toBeGreaterThan(0);
        const marker = encoded.encoding === "text" ? undefined : encoded.encoding;
        expect([...decodeSqsBody(encoded.body, marker)]).toEqual([...bytes]);
      }),
    );
  });

  it("round-trips any string's UTF-8 bytes, as text whenever SQS allows it", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 100 }), (value) => {
        const bytes = utf8(value);
        const encoded = encodeSqsBody(bytes);
        if (value !== "" && isSqsSafeText(value)) expect(encoded).toEqual({ body: value, encoding: "text" });
        const marker = encoded.encoding === "text" ? undefined : encoded.encoding;
        expect([...decodeSqsBody(encoded.body, marker)]).toEqual([...bytes]);
      }),
    );
  });
});
