/**
 * SQS message bodies are strings restricted to the XML character set; Asya bodies are bytes. The codec
 * is lossless and keeps plain JSON readable by other-language Asya consumers:
 * - bytes that are valid UTF-8 and contain only characters SQS accepts travel as that text, unchanged;
 * - anything else travels as base64, marked by the message attribute {@link BODY_ENCODING_ATTRIBUTE}
 *   = `base64`;
 * - an empty body (SQS requires at least one character) travels as `-` with the marker `empty`.
 */

/** Message attribute marking a body that is not sent as UTF-8 text. */
export const BODY_ENCODING_ATTRIBUTE = "x-asya-sqs-body-encoding";

/** How a body travels: `text` (no marker attribute), `base64` or `empty`. */
export type SqsBodyEncoding = "text" | "base64" | "empty";

/** An encoded body and its marker. */
export interface EncodedSqsBody {
  readonly body: string;
  readonly encoding: SqsBodyEncoding;
}

const EMPTY_BODY = "-";
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();
// Characters SQS accepts in bodies and string attribute values:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
const FORBIDDEN_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// The same without the supplementary planes (U+10000 and up, e.g. emoji), for emulators that
// reject them although AWS accepts them (fauxqs 1.9.2).
const FORBIDDEN_CHAR_BMP = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/u;

/**
 * True when `text` contains only characters SQS accepts in a message body or string attribute.
 * With `supplementary: false`, characters above U+FFFF count as unsafe too.
 */
export function isSqsSafeText(text: string, supplementary = true): boolean {
  return !(supplementary ? FORBIDDEN_CHAR : FORBIDDEN_CHAR_BMP).test(text);
}

/**
 * Encodes message bytes as an SQS body string. `supplementary: false` base64-encodes text with
 * characters above U+FFFF (see the `supplementaryCharsAsText` option).
 *
 * @example
 * ```ts
 * encodeSqsBody(new TextEncoder().encode('{"id":"a"}')); // { body: '{"id":"a"}', encoding: "text" }
 * ```
 */
export function encodeSqsBody(bytes: Uint8Array, supplementary = true): EncodedSqsBody {
  if (bytes.byteLength === 0) return { body: EMPTY_BODY, encoding: "empty" };
  let text: string | undefined;
  try {
    text = decoder.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && isSqsSafeText(text, supplementary)) return { body: text, encoding: "text" };
  return {
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
    encoding: "base64",
  };
}

/**
 * Decodes an SQS body string back to the published bytes, given the value of the
 * {@link BODY_ENCODING_ATTRIBUTE} attribute (absent = text).
 */
export function decodeSqsBody(body: string, encoding: string | undefined): Uint8Array {
  if (encoding === "empty") return new Uint8Array(0);
  if (encoding === "base64") {
    const buffer = Buffer.from(body, "base64");
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  return encoder.encode(body);
}
