import type { Transport } from "./transport.js";
import { TransportError } from "./transport-error.js";
import type { TransportKubernetes } from "./transport-kubernetes.js";

/** Environment variables as a descriptor reads them. */
export type TransportEnv = Readonly<Record<string, string | undefined>>;

/** Where an adapter's connection events go; every message and field is credential-free. */
export interface TransportLogger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** One environment variable an adapter reads (for docs and error messages). */
export interface TransportEnvVariable {
  readonly name: string;
  /** What applies when it is unset. */
  readonly default: string;
  readonly meaning: string;
}

/**
 * How a broker adapter plugs into the mesh: each adapter package exports one as
 * `transportDescriptor`, and `asya run` (via `ASYA_TRANSPORT=<kind>`), the configuration and the docs
 * find it through {@link TRANSPORT_PACKAGES}. A new broker is a new package plus one line there.
 */
export interface TransportDescriptor<TOptions = unknown, TKubernetesSettings = unknown> {
  /** The `ASYA_TRANSPORT` value, e.g. `rabbitmq`. */
  readonly kind: string;
  /** The npm package that exports this descriptor. */
  readonly packageName: string;
  /** The vendor SDK the adapter needs (a peer dependency), for install hints. */
  readonly sdk: string | undefined;
  /** The variables `fromEnv` reads. */
  readonly env: readonly TransportEnvVariable[];
  /**
   * The adapter's options from `ASYA_*` environment variables.
   * @throws TransportError `INVALID_ARGUMENT` whose `field` and message name the variable.
   */
  fromEnv(env: TransportEnv): TOptions;
  /** Creates the transport (the logger, when given, gets connection events). */
  create(options: TOptions, context: { readonly logger?: TransportLogger }): Transport;
  /**
   * Its part of an actor's Kubernetes objects (variables, pod identity, KEDA trigger); the same
   * object the package exports SDK-free at `<packageName>/kubernetes`.
   */
  readonly kubernetes?: TransportKubernetes<TKubernetesSettings>;
}

/** A registry entry: the package exporting the descriptor, and its SDK (for install hints). */
export interface TransportPackage {
  readonly packageName: string;
  readonly sdk: string | undefined;
}

/**
 * The registry of broker adapters by `ASYA_TRANSPORT` kind: one line per broker. Adapters are loaded
 * by dynamic import when used, so an application installs only its own; `@asya/k8s-manifests`
 * loads `<packageName>/kubernetes` (no SDK) to render an actor of that kind.
 */
export const TRANSPORT_PACKAGES: Readonly<Record<string, TransportPackage>> = Object.freeze({
  rabbitmq: { packageName: "@asya/transport-rabbitmq", sdk: "amqplib" },
  sqs: { packageName: "@asya/transport-sqs", sdk: "@aws-sdk/client-sqs" },
  pubsub: { packageName: "@asya/transport-pubsub", sdk: "@google-cloud/pubsub" },
});

const registered = new Map<string, TransportDescriptor>();

/**
 * Registers a descriptor in this process (a broker outside the registry, or a test double); it
 * takes precedence over {@link TRANSPORT_PACKAGES} for its kind.
 */
export function registerTransport<TOptions, TKubernetesSettings>(
  descriptor: TransportDescriptor<TOptions, TKubernetesSettings>,
): void {
  registered.set(descriptor.kind, descriptor as TransportDescriptor);
}

/** The descriptor registered in this process for `kind`, if any. */
export function registeredTransport(kind: string): TransportDescriptor | undefined {
  return registered.get(kind);
}

/** Every `ASYA_TRANSPORT` value this process knows: `memory`, the registry, and registered ones. */
export function transportKinds(): string[] {
  return [...new Set(["memory", ...Object.keys(TRANSPORT_PACKAGES), ...registered.keys()])];
}

/** Identity, for type inference of a descriptor's options. */
export function defineTransport<TOptions, TKubernetesSettings = unknown>(
  descriptor: TransportDescriptor<TOptions, TKubernetesSettings>,
): TransportDescriptor<TOptions, TKubernetesSettings> {
  return descriptor;
}

/** A variable's value (trimmed; empty counts as unset). */
export function envValue(env: TransportEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * An integer variable within `[min, max]`, or undefined when unset.
 * @throws TransportError `INVALID_ARGUMENT` naming the variable.
 */
export function envInt(
  env: TransportEnv,
  transport: string,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw envError(
      transport,
      name,
      `expected an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`,
    );
  }
  return Number(raw);
}

/**
 * A boolean variable (`1/true/yes/on`, `0/false/no/off`), or undefined when unset.
 * @throws TransportError `INVALID_ARGUMENT` naming the variable.
 */
export function envBool(env: TransportEnv, transport: string, name: string): boolean | undefined {
  const raw = envValue(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw envError(transport, name, `expected true or false, got ${JSON.stringify(raw)}`);
}

/** Asya's name for the one queue-creation setting; each adapter documents its default. */
export const QUEUE_AUTO_CREATE_VARIABLE = "ASYA_QUEUE_AUTO_CREATE";

/** The queue-creation setting of an adapter that leaves queues to manifests unless told otherwise. */
export const QUEUE_AUTO_CREATE_OFF: TransportEnvVariable = Object.freeze({
  name: QUEUE_AUTO_CREATE_VARIABLE,
  default: "false",
  meaning: "create missing queues (and their DLQs) on first use; off in production, where manifests own them",
});

/** The configuration error of variable `name` (never retryable). */
export function envError(transport: string, name: string, message: string): TransportError {
  return new TransportError(`${name}: ${message}`, {
    code: "INVALID_ARGUMENT",
    retryable: false,
    transport,
    field: name,
  });
}
