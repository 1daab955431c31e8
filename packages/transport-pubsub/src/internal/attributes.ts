import type { OutgoingMessage } from "@asya/transport";
import { TransportError } from "@asya/transport";
import { EMPTY_BODY_ATTRIBUTE, INTERNAL_ATTRIBUTES } from "../constants.js";

// Pub/Sub limits: 100 attributes, keys <= 256 bytes, values <= 1024 bytes; "goog*" keys are reserved.
const MAX_ATTRIBUTES = 100;
const MAX_KEY_BYTES = 256;
const MAX_VALUE_BYTES = 1024;

/**
 * Validates a message against Pub/Sub's limits and returns the attributes to publish (plus any
 * transport-internal ones).
 *
 * @throws TransportError `TOO_LARGE` (body) or `INVALID_ARGUMENT` (attributes).
 */
export function outgoingAttributes(
  queue: string,
  message: OutgoingMessage,
  maxMessageBytes: number,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  if (message.body.byteLength > maxMessageBytes) {
    throw new TransportError(
      `message of ${message.body.byteLength} bytes exceeds the ${maxMessageBytes}-byte limit (queue ${queue})`,
      { code: "TOO_LARGE", retryable: false, transport: "pubsub" },
    );
  }
  const attributes: Record<string, string> = { ...message.attributes, ...extra };
  const keys = Object.keys(attributes);
  if (keys.length > MAX_ATTRIBUTES) invalid(`more than ${MAX_ATTRIBUTES} attributes`);
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value !== "string") invalid(`attribute ${key} is not a string`);
    if (key === "" || Buffer.byteLength(key) > MAX_KEY_BYTES)
      invalid(`attribute key too long or empty: ${key}`);
    if (key.toLowerCase().startsWith("goog"))
      invalid(`attribute keys starting with "goog" are reserved: ${key}`);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES)
      invalid(`attribute ${key} exceeds ${MAX_VALUE_BYTES} bytes`);
  }
  // Pub/Sub rejects a message with neither data nor attributes.
  if (message.body.byteLength === 0 && keys.length === 0) attributes[EMPTY_BODY_ATTRIBUTE] = "1";
  return attributes;
}

/** Attributes as published by the sender: transport-internal and SDK (`googclient_*`) ones removed. */
export function publicAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (INTERNAL_ATTRIBUTES.has(key) || key.startsWith("googclient_")) continue;
    result[key] = value;
  }
  return result;
}

function invalid(reason: string): never {
  throw new TransportError(`invalid message: ${reason}`, {
    code: "INVALID_ARGUMENT",
    retryable: false,
    transport: "pubsub",
  });
}
