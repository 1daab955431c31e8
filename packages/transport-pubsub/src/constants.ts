/** Largest message body Pub/Sub accepts (10 MiB; attributes count toward the same request limit). */
export const PUBSUB_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Longest ack deadline Pub/Sub accepts, in seconds: the longest retry or publish delay (`maxDelayMs`). */
export const PUBSUB_MAX_ACK_DEADLINE_SEC = 600;

/**
 * Attribute carrying the earliest delivery time (epoch ms) of a message published with `delayMs`:
 * Pub/Sub has no delayed publish, so our consumers defer such a message's ack deadline until then.
 */
export const DELIVER_AT_ATTRIBUTE = "x-asya-deliver-at";

/** Attribute marking a message whose body is empty (Pub/Sub rejects messages with neither data nor attributes). */
export const EMPTY_BODY_ATTRIBUTE = "x-asya-empty-body";

/** Attributes this transport owns and strips before handing a message to a handler. */
export const INTERNAL_ATTRIBUTES: ReadonlySet<string> = new Set([DELIVER_AT_ATTRIBUTE, EMPTY_BODY_ATTRIBUTE]);
