import type { ReceivedMessage } from "@asya/transport";
import type { Message } from "@aws-sdk/client-sqs";
import { BODY_ENCODING_ATTRIBUTE, decodeSqsBody } from "./body-codec.js";
import { fromMessageAttributes, INTERNAL_ATTRIBUTE_PREFIX } from "./message-attributes.js";
import { PACKED_ATTRIBUTES_ATTRIBUTE } from "./outgoing-message.js";

/** A received SQS message decoded for the handler, plus what the adapter needs to settle it. */
export interface DecodedSqsMessage {
  readonly message: ReceivedMessage;
  readonly receiptHandle: string;
}

function unpack(packed: string): Record<string, string> {
  const parsed: unknown = JSON.parse(packed);
  const result: Record<string, string> = {};
  if (typeof parsed !== "object" || parsed === null) return result;
  for (const [name, value] of Object.entries(parsed)) if (typeof value === "string") result[name] = value;
  return result;
}

/** Decodes body and attributes of a received SQS message; internal attributes are removed. */
export function decodeReceivedMessage(queue: string, raw: Message): DecodedSqsMessage {
  const all = fromMessageAttributes(raw.MessageAttributes);
  const body = decodeSqsBody(raw.Body ?? "", all[BODY_ENCODING_ATTRIBUTE]);
  const packed = all[PACKED_ATTRIBUTES_ATTRIBUTE];
  // Attributes packed by the adapter (a re-publish that needed extra slots) come first; the
  // native ones (e.g. the dead-letter reason) are added on top. Internal ones are dropped.
  const attributes: Record<string, string> = packed === undefined ? {} : unpack(packed);
  for (const [name, value] of Object.entries(all)) {
    if (!name.startsWith(INTERNAL_ATTRIBUTE_PREFIX)) attributes[name] = value;
  }
  const count = Number(raw.Attributes?.ApproximateReceiveCount);
  const message: ReceivedMessage = {
    queue,
    id: raw.MessageId ?? "",
    body,
    attributes,
    ...(Number.isInteger(count) && count > 0 ? { deliveryCount: count } : {}),
  };
  return { message, receiptHandle: raw.ReceiptHandle ?? "" };
}
