import { claimCheckFromEnv } from "@asya/claim-check";
import { findInJsonl, replayEnvelope } from "@asya/runtime";
import type { Transport } from "@asya/transport";
import type { CliIo } from "./cli-io.js";
import { oneShotTransport } from "./cli-transport.js";
import { configFromEnv } from "./config/config-from-env.js";

/** Options of {@link replayFromFile}. */
export interface ReplayCommandOptions {
  readonly id: string;
  /** Actor to re-inject to. @default where it failed */
  readonly to?: string;
  /** @default ASYA_SUMP_FILE */
  readonly file?: string;
  /** Use this transport instead of creating one from the environment. */
  readonly transport?: Transport;
}

/** `asya replay`: finds the last record of `id` in x-sump's file and re-injects it. Returns the exit code. */
export async function replayFromFile(io: CliIo, options: ReplayCommandOptions): Promise<number> {
  const config = configFromEnv(io.env);
  const file = options.file ?? config.sumpFile;
  const envelope = await findInJsonl(file, options.id);
  if (envelope === undefined) {
    io.stderr.write(`[asya:runtime] no envelope ${options.id} in ${file}\n`);
    return 1;
  }
  const transport = options.transport ?? (await oneShotTransport("replay", io, config));
  const claimCheck = await claimCheckFromEnv(io.env);
  try {
    const replayed = await replayEnvelope(envelope, {
      transport,
      ...(claimCheck === undefined ? {} : { claimCheck }),
      ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
      ...(options.to === undefined ? {} : { to: options.to }),
    });
    io.stdout.write(`replayed ${replayed.id} to ${replayed.route.curr}\n`);
  } finally {
    if (options.transport === undefined) await transport.close();
    await claimCheck?.close();
  }
  return 0;
}
