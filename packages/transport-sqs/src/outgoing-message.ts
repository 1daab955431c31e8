import { checkDelayMs, type OutgoingMessage, TransportError } from "@asya/transport";
import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { BODY_ENCODING_ATTRIBUTE, encodeSqsBody } from "./body-codec.js";
import { encodeAttributeValue, MAX_SQS_ATTRIBUTES, toMessageAttributes } from "./message-attributes.js";
import { sqsMessageSize } from "./message-size.js";
import { SQS_MAX_DELAY_SECONDS } from "./sqs-transport-options.js";

/** Internal attribute: the caller's attributes packed as JSON when a re-publish needs extra slots. */
export const PACKED_ATTRIBUTES_ATTRIBUTE = "x-asya-sqs-attributes";

/** A message ready for `SendMessage` / a `SendMessageBatch` entry (without its batch `Id`). */
export interface SqsSendEntry {
  readonly MessageBody: string;
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
  readonly DelaySeconds?: number;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
  /** Size as SQS counts it. */
  readonly sizeBytes: number;
}

/** Settings {@link buildSendEntry} needs. */
export interface SendEntrySettings {
  readonly maxMessageBytes: number;
  readonly messageGroupId: string;
  readonly messageGroupIdAttribute: string;
  readonly deduplicationIdAttribute: string;
  readonly supplementaryCharsAsText: boolean;
}

/** Extras used when the adapter itself re-publishes (dead letter). */
export interface SendEntryExtras {
  /** Attributes added by the adapter (may use reserved names). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Pack the caller's attributes into one attribute when the total would exceed 10. */
  readonly packIfNeeded?: boolean;
  /** FIFO deduplication id override. */
  readonly deduplicationId?: string;
}

/** True for FIFO queue names. */
export function isFifoQueue(queue: string): boolean {
  return queue.endsWith(".fifo");
}

function tooManyAttributes(queue: string, count: number): TransportError {
  return new TransportError(
    `message for ${queue} needs ${count} message attributes; SQS allows ${MAX_SQS_ATTRIBUTES} (including the adapter's own body-encoding marker)`,
    { code: "INVALID_ARGUMENT", retryable: false, transport: "sqs" },
  );
}

/**
 * Builds the SQS request fields for one message: encodes the body, maps attributes, enforces the
 * 10-attribute and `maxMessageBytes` limits, converts `delayMs` to `DelaySeconds` (rounded up) and
 * fills FIFO fields.
 *
 * @throws TransportError `TOO_LARGE` naming the size; `INVALID_ARGUMENT` for too many / invalid
 *   attributes, a delay above SQS's 900 s or a per-message delay on a FIFO queue.
 */
export function buildSendEntry(
  queue: string,
  message: OutgoingMessage,
  delayMs: number | undefined,
  settings: SendEntrySettings,
  extras: SendEntryExtras = {},
): SqsSendEntry {
  const supplementary = settings.supplementaryCharsAsText;
  const encoded = encodeSqsBody(message.body, supplementary);
  let attributes = toMessageAttributes(message.attributes, supplementary);
  const extraEntries = Object.entries(extras.attributes ?? {});
  const markerCount = encoded.encoding === "text" ? 0 : 1;
  const callerCount = Object.keys(attributes).length;
  if (callerCount + extraEntries.length + markerCount > MAX_SQS_ATTRIBUTES) {
    if (extras.packIfNeeded !== true || extraEntries.length + markerCount + 1 > MAX_SQS_ATTRIBUTES) {
      throw tooManyAttributes(queue, callerCount + extraEntries.length + markerCount);
    }
    attributes = {
      [PACKED_ATTRIBUTES_ATTRIBUTE]: encodeAttributeValue(
        JSON.stringify(message.attributes ?? {}),
        supplementary,
      ),
    };
  }
  for (const [name, value] of extraEntries) attributes[name] = encodeAttributeValue(value, supplementary);
  if (encoded.encoding !== "text")
    attributes[BODY_ENCODING_ATTRIBUTE] = encodeAttributeValue(encoded.encoding);

  const size = sqsMessageSize(encoded.body, attributes);
  if (size.totalBytes > settings.maxMessageBytes) {
    throw new TransportError(
      `message for ${queue} is ${size.totalBytes} bytes (body ${size.bodyBytes}${encoded.encoding === "base64" ? " as base64" : ""} + attributes ${size.attributeBytes}); the limit is ${settings.maxMessageBytes} bytes`,
      { code: "TOO_LARGE", retryable: false, transport: "sqs" },
    );
  }

  const fifo = isFifoQueue(queue);
  let delaySeconds: number | undefined;
  checkDelayMs("sqs", delayMs, SQS_MAX_DELAY_SECONDS * 1000);
  if (delayMs !== undefined && delayMs > 0) {
    if (fifo) {
      throw new TransportError(`per-message delays are not supported on FIFO queue ${queue}`, {
        code: "INVALID_ARGUMENT",
        retryable: false,
        transport: "sqs",
      });
    }
    delaySeconds = Math.ceil(delayMs / 1000);
  }
  const entry: {
    MessageBody: string;
    MessageAttributes: Record<string, MessageAttributeValue>;
    sizeBytes: number;
    DelaySeconds?: number;
    MessageGroupId?: string;
    MessageDeduplicationId?: string;
  } = { MessageBody: encoded.body, MessageAttributes: attributes, sizeBytes: size.totalBytes };
  if (delaySeconds !== undefined) entry.DelaySeconds = delaySeconds;
  if (fifo) {
    entry.MessageGroupId = message.attributes?.[settings.messageGroupIdAttribute] ?? settings.messageGroupId;
    const dedup = extras.deduplicationId ?? message.attributes?.[settings.deduplicationIdAttribute];
    if (dedup !== undefined) entry.MessageDeduplicationId = dedup;
  }
  return entry;
}
