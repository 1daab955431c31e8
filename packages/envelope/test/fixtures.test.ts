import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type EnvelopeErrorCode, isEnvelopeError, parseEnvelope, serializeEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "fixtures");
const maxBytes = 64 * 1024;
const codes: readonly EnvelopeErrorCode[] = [
  "INVALID_JSON",
  "INVALID_ENVELOPE",
  "TOO_LARGE",
  "FORBIDDEN_KEY",
];

function list(folder: string): string[] {
  return readdirSync(join(root, folder))
    .filter((file) => !file.endsWith(".md"))
    .sort();
}

const valid = list("valid");
const invalid = list("invalid");

describe("valid fixtures", () => {
  it("exist", () => {
    expect(valid.length).toBeGreaterThanOrEqual(15);
  });

  it.each(valid)("%s parses and round-trips", (file) => {
    const bytes = new Uint8Array(readFileSync(join(root, "valid", file)));
    const envelope = parseEnvelope(bytes, { maxBytes });
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
    expect(JSON.parse(serializeEnvelope(envelope))).toEqual(JSON.parse(text.replace(/^\uFEFF/, "")));
    // Same result from a string input (a leading BOM is dropped there too).
    expect(parseEnvelope(text, { maxBytes })).toEqual(envelope);
  });
});

describe("invalid fixtures", () => {
  it("exist for every parse error code", () => {
    const seen = new Set(invalid.map((file) => file.split(".").at(-2)));
    for (const code of codes) expect(seen.has(code), code).toBe(true);
    expect(invalid.length).toBeGreaterThanOrEqual(40);
  });

  it.each(invalid)("%s is rejected with the code in its name", (file) => {
    const expected = file.split(".").at(-2);
    expect(codes).toContain(expected);
    const bytes = new Uint8Array(readFileSync(join(root, "invalid", file)));
    let caught: unknown;
    try {
      parseEnvelope(bytes, { maxBytes });
    } catch (error) {
      caught = error;
    }
    expect(isEnvelopeError(caught), String(caught)).toBe(true);
    expect(caught).toMatchObject({ code: expected, retryable: false, name: "EnvelopeError" });
    expect((caught as Error).message).toMatch(/^\[asya:envelope\] /);
  });
});
