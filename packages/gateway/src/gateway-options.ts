import type { ClaimCheck } from "@asya/claim-check";
import { DEFAULT_MAX_ENVELOPE_BYTES, isValidActorName } from "@asya/envelope";
import type { Transport } from "@asya/transport";
import { GatewayError } from "./gateway-error.js";
import type { Registry } from "./registry.js";
import type { TaskStore } from "./store/task-store.js";

/** Where the gateway's connection and request events go (credential-free). */
export interface GatewayLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Options of `createGateway`. */
export interface GatewayOptions {
  /** Where new envelopes are published (the actors' broker). */
  readonly transport: Transport;
  /**
   * Claim-check of large task inputs (`@asya/claim-check`; `ASYA_CLAIM_CHECK_*` for `asya gateway`):
   * an envelope over the threshold is published with its payload in the store, as actors do.
   */
  readonly claimCheck?: ClaimCheck;
  /** Tasks and events. @default an in-process memory store */
  readonly store?: TaskStore;
  /** Mesh namespace of the actors' queues (`asya-<ns>-<actor>`), unless a request names one. */
  readonly namespace?: string;
  /** External API port (0 = any free port). @default 8080 */
  readonly port?: number;
  /** Internal port for actor reports and pre-flight (0 = any free port). @default 8081 */
  readonly internalPort?: number;
  /** Bind address of both listeners. @default "127.0.0.1" */
  readonly host?: string;
  /** API prefix, `""` allowed. @default "/api/v1" */
  readonly prefix?: string;
  /** Bearer token required on the external API (health and metrics stay open). */
  readonly apiKey?: string;
  /** Bearer token required on the internal listener (actors send it as `ASYA_GATEWAY_TOKEN`). */
  readonly internalToken?: string;
  /**
   * What is stamped into `x-asya-gateway-url`: the internal listener's base URL, without the prefix,
   * as actors reach it. @default `http://<host>:<internal port>`
   */
  readonly internalUrl?: string;
  /** Known actors; when given (or a registry is), creating a task for another one is a 404. @default any actor */
  readonly actors?: readonly string[];
  /**
   * The registry (GATEWAY.md section 4), read on every request so a hot-reloaded file applies at once:
   * its entry actors are known actors, and `POST /mesh?tool=<name>` starts a tool's route.
   */
  readonly registry?: () => Registry;
  /**
   * The external API's public base URL (`https://gw.example.com`), named by the A2A agent card.
   * @default the origin the card was requested from
   */
  readonly publicUrl?: string;
  /** Origins (`https://app.example.com`) besides the gateway's own that may call `/mcp` from a browser. */
  readonly allowedOrigins?: readonly string[];
  /** An MCP session with no request and no call in flight for this long is closed. @default 30 min */
  readonly mcpSessionIdleMs?: number;
  /** Open MCP sessions at most; an initialize beyond it is a 503. @default 1000 */
  readonly maxMcpSessions?: number;
  /** Largest request body. @default 10 MiB (the envelope limit) */
  readonly maxBodyBytes?: number;
  /** SSE keepalive comment interval. @default 15000 */
  readonly keepaliveMs?: number;
  /** How long tasks are kept after their last update. @default 7 days */
  readonly retentionMs?: number;
  /** How often overdue tasks are failed and old ones pruned. @default 1000 */
  readonly sweepIntervalMs?: number;
  readonly logger?: GatewayLogger;
}

/** {@link GatewayOptions} checked, with defaults. */
type OptionalKeys =
  | "store"
  | "namespace"
  | "apiKey"
  | "internalToken"
  | "internalUrl"
  | "actors"
  | "registry"
  | "publicUrl"
  | "claimCheck";
export type ResolvedGatewayOptions = Required<Omit<GatewayOptions, OptionalKeys>> &
  Pick<GatewayOptions, OptionalKeys>;

const silent: GatewayLogger = { info() {}, warn() {}, error() {} };

/**
 * Checks {@link GatewayOptions}.
 * @throws GatewayError `INVALID_CONFIG` naming the option.
 */
export function resolveGatewayOptions(options: GatewayOptions): ResolvedGatewayOptions {
  const fail = (field: string, message: string): never => {
    throw new GatewayError(`${field}: ${message}`, { code: "INVALID_CONFIG", field });
  };
  const port = (field: string, value: number | undefined, fallback: number) => {
    const resolved = value ?? fallback;
    if (!Number.isInteger(resolved) || resolved < 0 || resolved > 65_535)
      fail(field, "expected a port (0-65535)");
    return resolved;
  };
  const positive = (field: string, value: number | undefined, fallback: number) => {
    const resolved = value ?? fallback;
    if (!Number.isInteger(resolved) || resolved <= 0) fail(field, "expected a positive integer");
    return resolved;
  };
  if (options.transport === undefined || typeof options.transport.publish !== "function") {
    fail("transport", "a Transport is required (to publish new tasks)");
  }
  const prefix = (options.prefix ?? "/api/v1").replace(/\/+$/, "");
  if (prefix !== "" && !prefix.startsWith("/")) fail("prefix", 'must start with "/" (or be "")');
  if (options.namespace !== undefined && !isValidActorName(options.namespace))
    fail("namespace", "must be a DNS-1123 label");
  for (const actor of options.actors ?? [])
    if (!isValidActorName(actor)) fail("actors", `${JSON.stringify(actor)} is not an actor name`);
  if (options.internalUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(options.internalUrl)) {
    fail("internalUrl", "must be an http(s) URL");
  }
  if (options.publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(options.publicUrl)) {
    fail("publicUrl", "must be an http(s) URL");
  }
  for (const origin of options.allowedOrigins ?? [])
    if (!/^https?:\/\/[^\s/]+$/.test(origin))
      fail("allowedOrigins", `${JSON.stringify(origin)} is not an origin`);
  return {
    transport: options.transport,
    ...(options.claimCheck === undefined ? {} : { claimCheck: options.claimCheck }),
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    port: port("port", options.port, 8080),
    internalPort: port("internalPort", options.internalPort, 8081),
    host: options.host ?? "127.0.0.1",
    prefix,
    ...(options.apiKey === undefined || options.apiKey === "" ? {} : { apiKey: options.apiKey }),
    ...(options.internalToken === undefined || options.internalToken === ""
      ? {}
      : { internalToken: options.internalToken }),
    ...(options.internalUrl === undefined ? {} : { internalUrl: options.internalUrl.replace(/\/+$/, "") }),
    ...(options.actors === undefined ? {} : { actors: options.actors }),
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.publicUrl === undefined ? {} : { publicUrl: options.publicUrl.replace(/\/+$/, "") }),
    allowedOrigins: options.allowedOrigins ?? [],
    mcpSessionIdleMs: positive("mcpSessionIdleMs", options.mcpSessionIdleMs, 30 * 60_000),
    maxMcpSessions: positive("maxMcpSessions", options.maxMcpSessions, 1_000),
    maxBodyBytes: positive("maxBodyBytes", options.maxBodyBytes, DEFAULT_MAX_ENVELOPE_BYTES),
    keepaliveMs: positive("keepaliveMs", options.keepaliveMs, 15_000),
    retentionMs: positive("retentionMs", options.retentionMs, 7 * 24 * 3_600_000),
    sweepIntervalMs: positive("sweepIntervalMs", options.sweepIntervalMs, 1_000),
    logger: options.logger ?? silent,
  };
}
