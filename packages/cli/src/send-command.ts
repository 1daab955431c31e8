import { createEnvelope, type Envelope, encodeEnvelope, queueName } from "@asya/envelope";
import { RuntimeConfigError } from "@asya/runtime";
import { type OutgoingMessage, publishAll, type Transport } from "@asya/transport";
import { type CliIo, progressBar } from "./cli-io.js";
import { oneShotTransport } from "./cli-transport.js";
import { configFromEnv } from "./config/config-from-env.js";

/** Options of {@link sendEnvelopes}. */
export interface SendOptions {
  readonly actor: string;
  /** JSON text of the payload. */
  readonly payload: string;
  /** Actors after `actor`. */
  readonly route?: readonly string[];
  /** @default 1 */
  readonly count?: number;
  /** Envelope id (suffixed `-<n>` when count > 1). @default random UUIDs */
  readonly id?: string;
  readonly transport?: Transport;
}

/** `asya send`: publishes `count` envelopes to `actor`; prints their ids; a progress bar when count > 1. */
export async function sendEnvelopes(io: CliIo, options: SendOptions): Promise<Envelope[]> {
  let payload: unknown;
  try {
    payload = JSON.parse(options.payload);
  } catch (error) {
    throw new RuntimeConfigError("--payload: invalid JSON", {
      code: "INVALID_CONFIG",
      field: "--payload",
      cause: error,
    });
  }
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) {
    throw new RuntimeConfigError("--count: expected a positive integer", {
      code: "INVALID_CONFIG",
      field: "--count",
    });
  }
  const config = configFromEnv(io.env);
  const transport = options.transport ?? (await oneShotTransport("send", io, config));
  const queue = queueName(options.actor, config.namespace);
  const sent: Envelope[] = [];
  const progressEvery = Math.max(1, Math.floor(count / 100));
  function* messages(): Generator<OutgoingMessage> {
    for (let index = 0; index < count; index += 1) {
      const id = options.id === undefined ? undefined : count > 1 ? `${options.id}-${index}` : options.id;
      const envelope = createEnvelope({
        ...(id === undefined ? {} : { id }),
        route: [options.actor, ...(options.route ?? [])],
        payload,
      });
      sent.push(envelope);
      // Counts handed to the transport; the bar reaches N/N only after the last batch resolved.
      if (count > 1 && index % progressEvery === 0) io.stderr.write(`\r${progressBar(index, count)}`);
      yield { body: encodeEnvelope(envelope) };
    }
  }
  try {
    await publishAll(transport, queue, messages(), { concurrency: 4, batchSize: 50 });
    if (count > 1) io.stderr.write(`\r${progressBar(count, count)}\nsent ${count} envelopes to ${queue}\n`);
    else io.stdout.write(`${sent[0]?.id}\n`);
  } finally {
    if (options.transport === undefined) await transport.close();
  }
  return sent;
}
