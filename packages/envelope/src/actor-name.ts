import { z } from "zod";
import { EnvelopeError } from "./envelope-error.js";
import { DNS_1123_LABEL } from "./internal/patterns.js";

/** Longest queue name every supported broker accepts (RabbitMQ's limit is 255 bytes). */
export const MAX_QUEUE_NAME_LENGTH = 255;

/**
 * Whether `name` is a valid actor name (a DNS-1123 label, at most 63 characters).
 * @example isValidActorName("x-sink") // true
 */
export function isValidActorName(name: unknown): name is string {
  return typeof name === "string" && DNS_1123_LABEL.test(name);
}

/** zod schema of an actor name. */
export const actorNameSchema = z
  .string()
  .regex(DNS_1123_LABEL, { error: "actor names must be DNS-1123 labels (a-z, 0-9, '-', at most 63)" });

/**
 * Throws unless `name` is a valid actor name.
 * @throws {EnvelopeError} `INVALID_ACTOR_NAME` naming the bad value and `what` it is.
 */
export function assertActorName(name: unknown, what = "actor name"): asserts name is string {
  if (!isValidActorName(name)) {
    throw new EnvelopeError(
      `invalid ${what} ${JSON.stringify(name) ?? String(name)}: must be a DNS-1123 label (a-z, 0-9, '-', at most 63 characters)`,
      { code: "INVALID_ACTOR_NAME" },
    );
  }
}

/**
 * The queue of `actor`: `asya-<namespace>-<actor>`, or `asya-<actor>` without a namespace
 * (SPEC section 2). The one queue-naming rule used by transports, runtime and manifests.
 * @throws {EnvelopeError} `INVALID_ACTOR_NAME` when `actor` or `namespace` is not a DNS-1123 label or
 *   the result is longer than 255 characters.
 * @example queueName("infer", "prod") // "asya-prod-infer"
 */
export function queueName(actor: string, namespace?: string): string {
  assertActorName(actor);
  if (namespace !== undefined) assertActorName(namespace, "namespace");
  const name = namespace === undefined ? `asya-${actor}` : `asya-${namespace}-${actor}`;
  if (name.length > MAX_QUEUE_NAME_LENGTH) {
    throw new EnvelopeError(`queue name ${name} is longer than ${MAX_QUEUE_NAME_LENGTH} characters`, {
      code: "INVALID_ACTOR_NAME",
    });
  }
  return name;
}
