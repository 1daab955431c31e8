import { RuntimeConfigError } from "../errors.js";

/**
 * Where an actor reports task progress and asks for pre-flight (GATEWAY.md section 3). The gateway
 * stamps its internal base URL into each envelope's `x-asya-gateway-url`; the runtime reports there
 * only when that URL's origin is `url`'s or one of `allowedOrigins` (an SSRF guard: a message header
 * never chooses where this process sends requests).
 */
export interface GatewayOptions {
  /** The trusted gateway (`ASYA_GATEWAY_URL`): its origin is allowed. */
  readonly url?: string;
  /** More allowed origins (`ASYA_GATEWAY_ALLOWED_ORIGINS`), e.g. `http://gateway-b:8081`. */
  readonly allowedOrigins?: readonly string[];
  /** The gateway's API prefix (`ASYA_GATEWAY_PREFIX`). @default "/api/v1" */
  readonly prefix?: string;
  /** Bearer token sent with every report and pre-flight (`ASYA_GATEWAY_TOKEN`). */
  readonly token?: string;
  /** Per-request limit. @default 2000 */
  readonly timeoutMs?: number;
  /** Best-effort reports waiting to be sent, at most; the oldest is dropped beyond. @default 1000 */
  readonly maxQueuedReports?: number;
}

/** {@link GatewayOptions} checked and normalised. */
export interface GatewayConfig {
  /** Allowed origins (`scheme://host:port`); empty = report nowhere. */
  readonly origins: ReadonlySet<string>;
  readonly prefix: string;
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly maxQueuedReports: number;
}

/** The default API prefix of Asya's gateway. */
export const DEFAULT_GATEWAY_PREFIX = "/api/v1";

/**
 * Checks {@link GatewayOptions}.
 * @throws RuntimeConfigError `INVALID_CONFIG` naming the field (a URL that is not http(s), a prefix
 *   without a leading `/`, a non-positive limit).
 */
export function resolveGatewayConfig(options: GatewayOptions = {}): GatewayConfig {
  const origins = new Set<string>();
  const add = (value: string, field: string) => {
    const origin = originOf(value);
    if (origin === undefined) {
      throw new RuntimeConfigError(`${field}: expected an http(s) URL, got ${JSON.stringify(value)}`, {
        code: "INVALID_CONFIG",
        field,
      });
    }
    origins.add(origin);
  };
  if (options.url !== undefined) add(options.url, "gateway.url");
  for (const origin of options.allowedOrigins ?? []) add(origin, "gateway.allowedOrigins");
  const prefix = (options.prefix ?? DEFAULT_GATEWAY_PREFIX).replace(/\/+$/, "");
  if (prefix !== "" && !prefix.startsWith("/")) {
    throw new RuntimeConfigError(
      `gateway.prefix: must start with "/" (or be ""), got ${JSON.stringify(prefix)}`,
      {
        code: "INVALID_CONFIG",
        field: "gateway.prefix",
      },
    );
  }
  const positive = (value: number | undefined, fallback: number, field: string): number => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value <= 0) {
      throw new RuntimeConfigError(`${field}: expected a positive integer, got ${value}`, {
        code: "INVALID_CONFIG",
        field,
      });
    }
    return value;
  };
  return {
    origins,
    prefix,
    token: options.token === "" ? undefined : options.token,
    timeoutMs: positive(options.timeoutMs, 2_000, "gateway.timeoutMs"),
    maxQueuedReports: positive(options.maxQueuedReports, 1_000, "gateway.maxQueuedReports"),
  };
}

/** `scheme://host[:port]` of an http(s) URL, or undefined. */
export function originOf(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.origin : undefined;
}
