import { createRequire } from "node:module";
import { registeredTransport, TRANSPORT_PACKAGES, type TransportKubernetes } from "@asya/transport";
import { ManifestError } from "./manifest-error.js";
import type { TransportSpec } from "./transport-schema.js";

const requireModule = createRequire(import.meta.url);
const loaded = new Map<string, TransportKubernetes<unknown>>();

/**
 * The Kubernetes part of the adapter for `kind` (variables, pod identity, KEDA trigger): registered
 * in this process, or exported as `transportKubernetes` at `<package>/kubernetes` by the package
 * {@link TRANSPORT_PACKAGES} names. That entry point loads no broker SDK; it is required only now
 * (Node >= 20.19 requires ES modules), so rendering stays synchronous and an install carries only
 * the adapters of the brokers it renders.
 *
 * @throws {ManifestError} `MISSING_ADAPTER` naming the package to install.
 */
export function transportKubernetesOf(kind: string): TransportKubernetes<unknown> {
  const registered = registeredTransport(kind)?.kubernetes;
  if (registered !== undefined) return registered;
  const cached = loaded.get(kind);
  if (cached !== undefined) return cached;
  const entry = TRANSPORT_PACKAGES[kind];
  if (entry === undefined) {
    throw new ManifestError(`transport ${JSON.stringify(kind)} has no adapter in the registry`, {
      code: "MISSING_ADAPTER",
    });
  }
  const specifier = `${entry.packageName}/kubernetes`;
  let module: { transportKubernetes?: TransportKubernetes<unknown> };
  try {
    module = requireModule(specifier) as typeof module;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (
      code !== "MODULE_NOT_FOUND" &&
      code !== "ERR_MODULE_NOT_FOUND" &&
      code !== "ERR_PACKAGE_PATH_NOT_EXPORTED"
    ) {
      throw error;
    }
    throw new ManifestError(
      `transport ${kind} is rendered by ${entry.packageName} (its variables and KEDA trigger): install it with \`npm install ${entry.packageName}\``,
      { code: "MISSING_ADAPTER", cause: error },
    );
  }
  const kubernetes = module.transportKubernetes;
  if (kubernetes === undefined || kubernetes.kind !== kind) {
    throw new ManifestError(
      `${specifier} does not export a transportKubernetes for ${JSON.stringify(kind)}`,
      {
        code: "MISSING_ADAPTER",
      },
    );
  }
  loaded.set(kind, kubernetes);
  return kubernetes;
}

/** The settings block of the chosen broker (`spec.transport.<type>`) and its adapter's part. */
export function transportPartOf(transport: TransportSpec): {
  readonly kubernetes: TransportKubernetes<unknown>;
  readonly settings: unknown;
} {
  return { kubernetes: transportKubernetesOf(transport.type), settings: transport[transport.type] };
}
