import { type Logger, RuntimeConfigError } from "@asya/runtime";
import type { Transport } from "@asya/transport";
import { createMemoryTransport } from "@asya/transport";
import type { TransportConfig } from "./config-from-env.js";

/** Module loader (injectable for tests). @default (specifier) => import(specifier) */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

/** Options of {@link loadTransport}. */
export interface LoadTransportOptions {
  /** @default (specifier) => import(specifier) */
  readonly importer?: ModuleImporter;
  /**
   * Receives the adapter's connection events (a failed connect is logged at once, while the
   * adapter keeps retrying within its budget). @default no logging
   */
  readonly logger?: Logger;
}

const ADAPTERS = {
  rabbitmq: {
    pkg: "@asya/transport-rabbitmq",
    factory: "createRabbitMqTransport",
    sdk: "amqplib",
    logs: true,
  },
  sqs: { pkg: "@asya/transport-sqs", factory: "createSqsTransport", sdk: "@aws-sdk/client-sqs", logs: false },
  pubsub: {
    pkg: "@asya/transport-pubsub",
    factory: "createPubSubTransport",
    sdk: "@google-cloud/pubsub",
    logs: true,
  },
} as const;

const defaultImporter: ModuleImporter = (specifier) => import(specifier) as Promise<Record<string, unknown>>;

/** The package Node could not find, from its ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND message. */
export function missingPackageOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const match = /Cannot find (?:package|module) '([^']+)'/.exec(message);
  if (match?.[1] === undefined) return "";
  // A deep path (`pkg/sub/file.js`) or an absolute file: reduce to the package name when it is one.
  const specifier = match[1];
  if (specifier.startsWith("/") || specifier.startsWith(".")) return specifier;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/**
 * Creates the configured transport. Adapters are loaded by dynamic import so an application installs
 * only the one it uses.
 *
 * @throws RuntimeConfigError code `MISSING_ADAPTER` naming exactly the package to install: the
 *   adapter, or (adapter present) its SDK peer dependency.
 */
export async function loadTransport(
  config: TransportConfig,
  options: LoadTransportOptions = {},
): Promise<Transport> {
  if (config.kind === "memory") return createMemoryTransport();
  const adapter = ADAPTERS[config.kind];
  const importer = options.importer ?? defaultImporter;
  let module: Record<string, unknown>;
  try {
    module = await importer(adapter.pkg);
  } catch (error) {
    const missing = missingPackageOf(error);
    if (missing === undefined) throw error;
    const install =
      missing === adapter.pkg || missing === ""
        ? `needs ${adapter.pkg}: install it with \`npm install ${adapter.pkg} ${adapter.sdk}\``
        : `: ${adapter.pkg} is installed but ${missing} (which it imports) is not: install it with \`npm install ${missing}\``;
    throw new RuntimeConfigError(`ASYA_TRANSPORT=${config.kind} ${install}`.replace(" :", ":"), {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
      cause: error,
    });
  }
  const factory = module[adapter.factory];
  if (typeof factory !== "function") {
    throw new RuntimeConfigError(`${adapter.pkg} does not export ${adapter.factory}`, {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
    });
  }
  const { kind: _kind, ...settings } = config;
  const logging = adapter.logs && options.logger !== undefined ? { logger: options.logger } : {};
  return (factory as (options: unknown) => Transport)({ ...settings, ...logging });
}
