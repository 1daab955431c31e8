import { TransportError } from "@asya/transport";
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { isSqsSafeText } from "./body-codec.js";

/** SQS accepts at most this many message attributes per message. */
export const MAX_SQS_ATTRIBUTES = 10;
/** Prefix of the attributes this adapter uses internally; callers may not set them. */
export const INTERNAL_ATTRIBUTE_PREFIX = "x-asya-sqs-";

// DataType label for the empty string: SQS rejects empty attribute values.
const EMPTY_STRING_TYPE = "String.asya-empty";
const EMPTY_STRING_PLACEHOLDER = "-";
// DataType for values SQS refuses as String (control characters, lone surrogates): UTF-8 bytes.
const BINARY_UTF8_TYPE = "Binary.asya-utf8";
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Throws unless `name` is a valid SQS message attribute name. */
export function assertAttributeName(name: string): void {
  const lower = name.toLowerCase();
  if (
    !NAME.test(name) ||
    name.startsWith(".") ||
    name.endsWith(".") ||
    name.includes("..") ||
    lower.startsWith("aws.") ||
    lower.startsWith("amazon.")
  ) {
    throw new TransportError(
      `invalid attribute name ${JSON.stringify(name)}: SQS allows 1-256 of [A-Za-z0-9_.-], no leading, trailing or double dot, no AWS./Amazon. prefix`,
      { code: "INVALID_ARGUMENT", retryable: false, transport: "sqs" },
    );
  }
}

/** Encodes one string attribute value losslessly as an SQS message attribute. */
export function encodeAttributeValue(value: string, supplementary = true): MessageAttributeValue {
  if (value === "") return { DataType: EMPTY_STRING_TYPE, StringValue: EMPTY_STRING_PLACEHOLDER };
  if (isSqsSafeText(value, supplementary)) return { DataType: "String", StringValue: value };
  return { DataType: BINARY_UTF8_TYPE, BinaryValue: encoder.encode(value) };
}

/** Decodes an SQS message attribute produced by {@link encodeAttributeValue} (or by any sender). */
export function decodeAttributeValue(value: MessageAttributeValue): string {
  const type = value.DataType ?? "String";
  if (type === EMPTY_STRING_TYPE) return "";
  if (type.startsWith("Binary"))
    return value.BinaryValue === undefined ? "" : decoder.decode(value.BinaryValue);
  return value.StringValue ?? "";
}

/** Bytes SQS counts for one attribute: name, data type and value. */
export function attributeSizeBytes(name: string, value: MessageAttributeValue): number {
  const valueBytes =
    value.BinaryValue !== undefined
      ? value.BinaryValue.byteLength
      : Buffer.byteLength(value.StringValue ?? "", "utf8");
  return Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType ?? "", "utf8") + valueBytes;
}

/**
 * Converts caller attributes to SQS message attributes, validating names and rejecting the adapter's
 * internal names.
 *
 * @throws TransportError `INVALID_ARGUMENT` on an invalid or reserved name.
 */
export function toMessageAttributes(
  attributes: Readonly<Record<string, string>> | undefined,
  supplementary = true,
): Record<string, MessageAttributeValue> {
  const result: Record<string, MessageAttributeValue> = {};
  if (attributes === undefined) return result;
  for (const [name, value] of Object.entries(attributes)) {
    assertAttributeName(name);
    if (name.startsWith(INTERNAL_ATTRIBUTE_PREFIX)) {
      throw new TransportError(`attribute name ${JSON.stringify(name)} is reserved for the SQS adapter`, {
        code: "INVALID_ARGUMENT",
        retryable: false,
        transport: "sqs",
      });
    }
    result[name] = encodeAttributeValue(value, supplementary);
  }
  return result;
}

/** Converts received SQS message attributes to plain strings (internal attributes included). */
export function fromMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  if (attributes === undefined) return result;
  for (const [name, value] of Object.entries(attributes)) result[name] = decodeAttributeValue(value);
  return result;
}
