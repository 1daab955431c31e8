import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  formatPath,
  isValidActorName,
  RESILIENCY_ENV,
  SINK_ACTOR,
  SUMP_ACTOR,
} from "@asya/envelope";
import { type LogLevel, parseDuration, RuntimeConfigError, resolveResiliency } from "@asya/runtime";
import { transportKinds } from "@asya/transport";
import { type Env, fail, gatewayPrefix, get, int } from "./env-values.js";

export type { Env } from "./env-values.js";

/** Resiliency after validation (what `resolveResiliency` returns and `createActor` takes). */
type ResiliencyConfig = ReturnType<typeof resolveResiliency>;

/**
 * Which transport `ASYA_TRANSPORT` selects, with the environment its adapter reads its own variables
 * from (`loadTransport` hands `env` to the adapter's descriptor). `memory` needs nothing.
 */
export type TransportConfig = { readonly kind: "memory" } | { readonly kind: string; readonly env: Env };

/** Where `x-sink` stores results. */
export type SinkStoreKind = "stdout" | "file" | "http";

/** Everything the runtime reads from the environment. */
export interface RuntimeConfig {
  readonly actorName: string | undefined;
  readonly namespace: string | undefined;
  /** `module#export` of the handler. */
  readonly handler: string | undefined;
  readonly transport: TransportConfig;
  readonly resiliency: ResiliencyConfig;
  readonly sinkActor: string;
  readonly sumpActor: string;
  readonly concurrency: number;
  /** `undefined` when the health server is disabled. */
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  readonly metricsEnabled: boolean;
  readonly maxMessageBytes: number;
  readonly logLevel: LogLevel;
  readonly shutdownGraceMs: number;
  readonly sinkStore: SinkStoreKind;
  readonly sinkFile: string;
  readonly sinkUrl: string | undefined;
  readonly sumpFile: string;
  /** The trusted gateway (`ASYA_GATEWAY_*`), for task reports and pre-flight. */
  readonly gateway: GatewayEnvConfig;
}

/** What `ASYA_GATEWAY_URL`, `_ALLOWED_ORIGINS`, `_PREFIX` and `_TOKEN` say (checked by `createActor`). */
export interface GatewayEnvConfig {
  readonly url?: string;
  readonly allowedOrigins?: readonly string[];
  readonly prefix?: string;
  readonly token?: string;
}

function gatewayFromEnv(env: Env): GatewayEnvConfig {
  const url = get(env, "ASYA_GATEWAY_URL");
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url))
    fail("ASYA_GATEWAY_URL", "must be an http(s) URL");
  const origins = get(env, "ASYA_GATEWAY_ALLOWED_ORIGINS")
    ?.split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins ?? []) {
    if (!/^https?:\/\/[^\s/]+\/?$/.test(origin)) {
      fail(
        "ASYA_GATEWAY_ALLOWED_ORIGINS",
        `${JSON.stringify(origin)} is not an http(s) origin (scheme://host:port)`,
      );
    }
  }
  const prefix = gatewayPrefix(env);
  const token = get(env, "ASYA_GATEWAY_TOKEN");
  return {
    ...(url === undefined ? {} : { url }),
    ...(origins === undefined || origins.length === 0 ? {} : { allowedOrigins: origins }),
    ...(prefix === undefined ? {} : { prefix }),
    ...(token === undefined ? {} : { token }),
  };
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = get(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  return fail(name, `expected true or false, got ${JSON.stringify(raw)}`);
}

function json(env: Env, name: string): unknown {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch (error) {
    // Node's message carries the position ("... in JSON at position 12"); show the text around it.
    const detail = (error as Error).message;
    const position = /position (\d+)/.exec(detail)?.[1];
    const at = position === undefined ? raw.length : Number(position);
    const near = `${raw.slice(Math.max(0, at - 24), at)} <-- here`;
    return fail(name, `invalid JSON: ${detail}: ${near}`, error);
  }
}

function actor(env: Env, name: string, fallback?: string): string | undefined {
  const value = get(env, name) ?? fallback;
  if (value !== undefined && !isValidActorName(value)) {
    fail(name, `${JSON.stringify(value)} is not a DNS-1123 label (a-z, 0-9, '-', <= 63 chars)`);
  }
  return value;
}

function transportFromEnv(env: Env): TransportConfig {
  const kind = get(env, "ASYA_TRANSPORT") ?? "memory";
  if (kind === "memory") return { kind };
  const kinds = transportKinds();
  if (!kinds.includes(kind)) {
    return fail("ASYA_TRANSPORT", `expected ${kinds.join(", ")}, got ${JSON.stringify(kind)}`);
  }
  return { kind, env };
}

function resiliencyFromEnv(env: Env): ResiliencyConfig {
  const timeout = get(env, RESILIENCY_ENV.actorTimeout);
  let actorTimeout: number | undefined;
  if (timeout !== undefined) {
    try {
      actorTimeout = parseDuration(timeout, RESILIENCY_ENV.actorTimeout);
    } catch (error) {
      fail(RESILIENCY_ENV.actorTimeout, (error as Error).message.replace(/^\[asya:runtime\] /, ""), error);
    }
  }
  const policies = json(env, RESILIENCY_ENV.policies);
  const rules = json(env, RESILIENCY_ENV.rules);
  try {
    return resolveResiliency({
      ...(actorTimeout === undefined ? {} : { actorTimeout }),
      ...(policies === undefined ? {} : { policies }),
      ...(rules === undefined ? {} : { rules }),
    });
  } catch (error) {
    if (!(error instanceof RuntimeConfigError)) throw error;
    // Name the variable once, then the path inside it: "ASYA_RESILIENCY_RULES: [0].policy: ...".
    const [top, ...inside] = error.path;
    const variable =
      top === "rules"
        ? RESILIENCY_ENV.rules
        : top === "policies"
          ? RESILIENCY_ENV.policies
          : RESILIENCY_ENV.actorTimeout;
    const where =
      inside.length === 0
        ? ""
        : `${formatPath(inside.map((key) => (typeof key === "number" ? key : String(key))))}: `;
    return fail(variable, `${where}${error.detail}`, error);
  }
}

function healthPortFromEnv(env: Env): number | undefined {
  const raw = get(env, "ASYA_HEALTH_PORT");
  if (raw !== undefined && ["off", "false", "none", "disabled"].includes(raw.toLowerCase())) return undefined;
  return int(env, "ASYA_HEALTH_PORT", 0, 65_535) ?? 8080;
}

const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/**
 * Reads the runtime configuration from environment variables (the only place the runtime reads
 * them). Names follow Asya so one actor manifest drives either implementation.
 *
 * @throws RuntimeConfigError code `INVALID_CONFIG` whose message and `field` name the variable.
 * @example const config = configFromEnv({ ASYA_ACTOR_NAME: "clean", ASYA_TRANSPORT: "rabbitmq" });
 */
export function configFromEnv(env: Env = process.env): RuntimeConfig {
  const logLevel = (get(env, "ASYA_LOG_LEVEL")?.toLowerCase() ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) fail("ASYA_LOG_LEVEL", `expected one of ${LOG_LEVELS.join(", ")}`);
  const namespace = get(env, "ASYA_NAMESPACE");
  if (namespace !== undefined && !isValidActorName(namespace)) {
    fail("ASYA_NAMESPACE", `${JSON.stringify(namespace)} is not a DNS-1123 label`);
  }
  const handler = get(env, "ASYA_HANDLER");
  if (handler !== undefined && !/^[^#]+(#[A-Za-z_$][\w$]*)?$/.test(handler)) {
    fail("ASYA_HANDLER", 'expected "<module>#<export>", e.g. "./dist/handler.js#process"');
  }
  const sinkStore = (get(env, "ASYA_SINK_STORE") ?? "stdout") as SinkStoreKind;
  if (!["stdout", "file", "http"].includes(sinkStore))
    fail("ASYA_SINK_STORE", "expected stdout, file or http");
  const sinkUrl = get(env, "ASYA_SINK_URL");
  if (sinkUrl !== undefined && !/^https?:\/\//.test(sinkUrl)) fail("ASYA_SINK_URL", "must be an http(s) URL");
  if (sinkStore === "http" && sinkUrl === undefined)
    fail("ASYA_SINK_URL", "required when ASYA_SINK_STORE=http");
  const grace = get(env, "ASYA_SHUTDOWN_GRACE");
  let shutdownGraceMs = 30_000;
  if (grace !== undefined) {
    try {
      shutdownGraceMs = parseDuration(grace, "ASYA_SHUTDOWN_GRACE");
    } catch (error) {
      fail("ASYA_SHUTDOWN_GRACE", "invalid duration", error);
    }
  }
  return {
    actorName: actor(env, "ASYA_ACTOR_NAME"),
    namespace,
    handler,
    transport: transportFromEnv(env),
    resiliency: resiliencyFromEnv(env),
    sinkActor: actor(env, "ASYA_ACTOR_SINK", SINK_ACTOR) ?? SINK_ACTOR,
    sumpActor: actor(env, "ASYA_ACTOR_SUMP", SUMP_ACTOR) ?? SUMP_ACTOR,
    concurrency: int(env, "ASYA_CONCURRENCY", 1, 10_000) ?? 1,
    healthPort: healthPortFromEnv(env),
    healthHost: get(env, "ASYA_HEALTH_HOST") ?? "127.0.0.1",
    metricsEnabled: bool(env, "ASYA_METRICS_ENABLED", true),
    maxMessageBytes: int(env, "ASYA_MAX_MESSAGE_BYTES", 1, 2 ** 31) ?? DEFAULT_MAX_ENVELOPE_BYTES,
    logLevel,
    shutdownGraceMs,
    sinkStore,
    sinkFile: get(env, "ASYA_SINK_FILE") ?? "asya-results.jsonl",
    sinkUrl,
    sumpFile: get(env, "ASYA_SUMP_FILE") ?? "asya-sump.jsonl",
    gateway: gatewayFromEnv(env),
  };
}
