import { type Logger, RuntimeConfigError } from "@asya/runtime";
import type { Transport, TransportDescriptor } from "@asya/transport";
import {
  createMemoryTransport,
  isTransportError,
  registeredTransport,
  TRANSPORT_PACKAGES,
} from "@asya/transport";
import type { Env } from "./config-from-env.js";

/** Module loader (injectable for tests). @default (specifier) => import(specifier) */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

/** What to create: a kind read from the environment (`configFromEnv`), or a kind with ready options. */
export type TransportSelection =
  | { readonly kind: "memory" }
  | { readonly kind: string; readonly env: Env }
  | { readonly kind: string; readonly options: unknown };

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
 * The descriptor of `kind`: registered in this process, or exported as `transportDescriptor` by the
 * package {@link TRANSPORT_PACKAGES} names (imported only now, so an app installs only its own).
 *
 * @throws RuntimeConfigError `MISSING_ADAPTER` naming exactly what to install (the adapter, or its SDK).
 */
export async function loadTransportDescriptor(
  kind: string,
  importer: ModuleImporter = defaultImporter,
): Promise<TransportDescriptor> {
  const registered = registeredTransport(kind);
  if (registered !== undefined) return registered;
  const entry = TRANSPORT_PACKAGES[kind];
  if (entry === undefined) {
    throw new RuntimeConfigError(`ASYA_TRANSPORT=${kind}: no adapter is registered for this kind`, {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
    });
  }
  const pkg = entry.packageName;
  const withSdk = entry.sdk === undefined ? pkg : `${pkg} ${entry.sdk}`;
  let module: Record<string, unknown>;
  try {
    module = await importer(pkg);
  } catch (error) {
    const missing = missingPackageOf(error);
    if (missing === undefined) throw error;
    const install =
      missing === pkg || missing === ""
        ? ` needs ${pkg}: install it with \`npm install ${withSdk}\``
        : `: ${pkg} is installed but ${missing} (which it imports) is not: install it with \`npm install ${missing}\``;
    throw new RuntimeConfigError(`ASYA_TRANSPORT=${kind}${install}`, {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
      cause: error,
    });
  }
  const descriptor = module.transportDescriptor as TransportDescriptor | undefined;
  if (descriptor === undefined || typeof descriptor.create !== "function" || descriptor.kind !== kind) {
    throw new RuntimeConfigError(`${pkg} does not export a transportDescriptor for ${JSON.stringify(kind)}`, {
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
    });
  }
  return descriptor;
}

/**
 * Creates the selected transport through its adapter's descriptor: options from the environment
 * (each adapter reads its own variables) or given ready.
 *
 * @throws RuntimeConfigError `MISSING_ADAPTER` (what to install) or `INVALID_CONFIG` naming the variable.
 */
export async function loadTransport(
  selection: TransportSelection,
  options: LoadTransportOptions = {},
): Promise<Transport> {
  if (selection.kind === "memory") return createMemoryTransport();
  const descriptor = await loadTransportDescriptor(selection.kind, options.importer);
  let settings: unknown;
  if ("options" in selection) {
    settings = selection.options;
  } else {
    try {
      settings = descriptor.fromEnv("env" in selection ? selection.env : {});
    } catch (error) {
      if (isTransportError(error) && error.field !== undefined) {
        throw new RuntimeConfigError(error.message.replace(/^\[asya:[\w-]+\] /, ""), {
          code: "INVALID_CONFIG",
          field: error.field,
          cause: error,
        });
      }
      throw error;
    }
  }
  return descriptor.create(settings, options.logger === undefined ? {} : { logger: options.logger });
}
