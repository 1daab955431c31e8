import type { Transport } from "@asya/transport";
import { createMemoryTransport } from "@asya/transport";
import { RuntimeConfigError } from "../errors.js";
import type { TransportConfig } from "./config-from-env.js";

/** Module loader (injectable for tests). @default (specifier) => import(specifier) */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

const ADAPTERS = {
  rabbitmq: { pkg: "@asya/transport-rabbitmq", factory: "createRabbitMqTransport", sdk: "amqplib" },
  sqs: { pkg: "@asya/transport-sqs", factory: "createSqsTransport", sdk: "@aws-sdk/client-sqs" },
  pubsub: { pkg: "@asya/transport-pubsub", factory: "createPubSubTransport", sdk: "@google-cloud/pubsub" },
} as const;

const defaultImporter: ModuleImporter = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

/**
 * Creates the configured transport. Adapters are loaded by dynamic import so an application installs
 * only the one it uses.
 *
 * @throws RuntimeConfigError code `MISSING_ADAPTER` with an install hint when the adapter is absent.
 */
export async function loadTransport(
  config: TransportConfig,
  importer: ModuleImporter = defaultImporter,
): Promise<Transport> {
  if (config.kind === "memory") return createMemoryTransport();
  const adapter = ADAPTERS[config.kind];
  let module: Record<string, unknown>;
  try {
    module = await importer(adapter.pkg);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new RuntimeConfigError(
        `ASYA_TRANSPORT=${config.kind} needs ${adapter.pkg}: install it with \`npm install ${adapter.pkg} ${adapter.sdk}\``,
        { code: "MISSING_ADAPTER", field: "ASYA_TRANSPORT", cause: error },
      );
    }
    throw error;
  }
  const factory = module[adapter.factory];
  if (typeof factory !== "function") {
    throw new RuntimeConfigError(`${adapter.pkg} does not export ${adapter.factory}`, {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
    });
  }
  const { kind: _kind, ...options } = config;
  return (factory as (options: unknown) => Transport)(options);
}
