import { createJsonLogger, RuntimeConfigError } from "@asya/runtime";
import type { Transport } from "@asya/transport";
import type { CliIo } from "./cli-io.js";
import type { RuntimeConfig } from "./config/config-from-env.js";
import { loadTransport } from "./config/load-transport.js";

/**
 * The broker transport of a one-shot CLI command (`send`, `replay`). The memory transport is
 * refused: what such a command publishes would live only in this process and vanish when it exits.
 *
 * Connection problems are logged to stderr at once (level `warn` unless ASYA_LOG_LEVEL says
 * otherwise), while the adapter keeps retrying within its publish budget.
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` naming ASYA_TRANSPORT when it is memory.
 */
export async function oneShotTransport(
  command: string,
  io: CliIo,
  config: RuntimeConfig,
): Promise<Transport> {
  if (config.transport.kind === "memory") {
    const how = io.env.ASYA_TRANSPORT?.trim() ? "is memory" : "is unset (the default is memory)";
    throw new RuntimeConfigError(
      `ASYA_TRANSPORT ${how}: \`asya ${command}\` would publish into this process's own memory, and the message would vanish when it exits. Set ASYA_TRANSPORT=rabbitmq, sqs or pubsub and the broker's variables (README, "Configuration")`,
      { code: "INVALID_CONFIG", field: "ASYA_TRANSPORT" },
    );
  }
  const level = io.env.ASYA_LOG_LEVEL?.trim() ? config.logLevel : "warn";
  const logger = createJsonLogger({ level, write: (line) => io.stderr.write(`${line}\n`) });
  return loadTransport(config.transport, { logger });
}
