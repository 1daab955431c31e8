import type { MessageAttributeValue } from "@aws-sdk/client-sqs";

/** The attribute the Asya SQS codec uses to mark a body that is not plain UTF-8 text (wire format). */
export const BODY_ENCODING_ATTRIBUTE = "x-asya-sqs-body-encoding";
const FORBIDDEN_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Encodes bytes the way any SQS producer must (SQS bodies are XML-safe text): UTF-8 text as is,
 * anything else as base64 marked with the Asya wire attribute, the empty body as `-` + `empty`.
 */
export function sqsWireBody(bytes: Uint8Array): {
  body: string;
  attributes: Record<string, MessageAttributeValue>;
} {
  if (bytes.byteLength === 0) {
    return {
      body: "-",
      attributes: { [BODY_ENCODING_ATTRIBUTE]: { DataType: "String", StringValue: "empty" } },
    };
  }
  try {
    const text = strictDecoder.decode(bytes);
    if (!FORBIDDEN_CHAR.test(text)) return { body: text, attributes: {} };
  } catch {
    // not UTF-8
  }
  return {
    body: Buffer.from(bytes).toString("base64"),
    attributes: { [BODY_ENCODING_ATTRIBUTE]: { DataType: "String", StringValue: "base64" } },
  };
}

export function decodeWireBody(body: string, encoding: string | undefined): Uint8Array {
  if (encoding === "empty") return new Uint8Array(0);
  if (encoding === "base64") return new Uint8Array(Buffer.from(body, "base64"));
  return new TextEncoder().encode(body);
}
