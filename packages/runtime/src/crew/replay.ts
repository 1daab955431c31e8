import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { ClaimCheck } from "@asya/claim-check";
import {
  type Envelope,
  HEADER_FIRST_ATTEMPT,
  queueName,
  stampStatus,
  validateEnvelope,
} from "@asya/envelope";
import type { Transport } from "@asya/transport";
import { RuntimeConfigError } from "../errors.js";
import { encodeForWire } from "./crew-state.js";

/** Options of {@link replayEnvelope}. */
export interface ReplayOptions {
  readonly transport: Transport;
  readonly namespace?: string;
  /** Actor to re-inject to. @default the actor it failed at (`status.actor`, else `route.curr`) */
  readonly to?: string;
  /** Claim-checks a replayed envelope over the threshold (a stored result may be large). */
  readonly claimCheck?: ClaimCheck;
}

/**
 * Re-injects a failed envelope: `route.curr` = the chosen actor, status reset to
 * `{ phase: "pending", attempt: 1 }` (error and reason cleared), first-attempt header removed.
 * Returns what was published.
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` when no target actor can be determined.
 */
export async function replayEnvelope(envelope: Envelope, options: ReplayOptions): Promise<Envelope> {
  const to = options.to ?? (envelope.status?.actor || envelope.route.curr);
  if (!to) {
    throw new RuntimeConfigError(`cannot tell where to replay ${envelope.id}; pass a target actor`, {
      code: "INVALID_CONFIG",
      field: "to",
    });
  }
  const headers: Record<string, unknown> = { ...envelope.headers };
  delete headers[HEADER_FIRST_ATTEMPT];
  const replayed = stampStatus(
    validateEnvelope({ ...envelope, headers, route: { ...envelope.route, curr: to } }),
    { phase: "pending", actor: to, attempt: 1, max_attempts: undefined, reason: undefined, error: undefined },
  );
  await options.transport.publish(queueName(to, options.namespace), {
    body: await encodeForWire(replayed, options.transport, options.claimCheck),
  });
  return replayed;
}

/** Reads a JSONL envelope file; returns the LAST record with `id` (or `undefined`). */
export async function findInJsonl(path: string, id: string): Promise<Envelope | undefined> {
  let found: Envelope | undefined;
  const lines = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    try {
      const value = JSON.parse(line) as { id?: unknown };
      if (value.id === id) found = validateEnvelope(value);
    } catch {
      // skip a torn or foreign line
    }
  }
  return found;
}
