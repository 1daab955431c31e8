import type { MessageAttributeValue } from "@aws-sdk/client-sqs";
import { attributeSizeBytes } from "./message-attributes.js";

/** How SQS measures one message against its size limit. */
export interface SqsMessageSize {
  /** UTF-8 bytes of the (encoded) body string. */
  readonly bodyBytes: number;
  /** Sum of every attribute's name, data type and value bytes. */
  readonly attributeBytes: number;
  /** `bodyBytes + attributeBytes`: what `maxMessageBytes` limits. */
  readonly totalBytes: number;
}

/**
 * Measures a message the way SQS does: the body's UTF-8 bytes plus, for each message attribute, the
 * bytes of its name, data type and value.
 */
export function sqsMessageSize(
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>>,
): SqsMessageSize {
  const bodyBytes = Buffer.byteLength(body, "utf8");
  let attributeBytes = 0;
  for (const [name, value] of Object.entries(attributes)) attributeBytes += attributeSizeBytes(name, value);
  return { bodyBytes, attributeBytes, totalBytes: bodyBytes + attributeBytes };
}
