import { claimCheckFromEnv } from "@asya/claim-check";
import {
  createGateway,
  createMemoryTaskStore,
  createPostgresTaskStore,
  type TaskStore,
  watchRegistryFile,
} from "@asya/gateway";
import { createJsonLogger, type Logger, parseDuration } from "@asya/runtime";
import type { CliIo } from "./cli-io.js";
import { configFromEnv } from "./config/config-from-env.js";
import { type Env, fail, gatewayPrefix, get, int } from "./config/env-values.js";
import { loadTransport } from "./config/load-transport.js";

/** What `asya gateway` reads from the environment. */
export interface GatewayEnvConfig {
  readonly port: number;
  readonly internalPort: number;
  readonly host: string;
  readonly prefix: string;
  readonly store: "memory" | "postgres";
  readonly databaseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly internalToken: string | undefined;
  readonly internalUrl: string | undefined;
  readonly registryFile: string | undefined;
  readonly retentionMs: number;
  readonly publicUrl: string | undefined;
  readonly mcpAllowedOrigins: readonly string[];
  readonly mcpSessionIdleMs: number;
}

const port = (env: Env, name: string, fallback: number) => int(env, name, 0, 65_535) ?? fallback;

/**
 * Reads `ASYA_GATEWAY_*` (see the CLI README).
 * @throws RuntimeConfigError `INVALID_CONFIG` naming the variable.
 */
export function gatewayConfigFromEnv(env: Env): GatewayEnvConfig {
  const prefix = gatewayPrefix(env) ?? "/api/v1";
  const store = get(env, "ASYA_GATEWAY_STORE") ?? "memory";
  if (store !== "memory" && store !== "postgres")
    fail("ASYA_GATEWAY_STORE", `expected memory or postgres, got ${JSON.stringify(store)}`);
  const databaseUrl = get(env, "ASYA_GATEWAY_DATABASE_URL");
  if (store === "postgres" && databaseUrl === undefined)
    fail("ASYA_GATEWAY_DATABASE_URL", "required when ASYA_GATEWAY_STORE=postgres");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    fail("ASYA_GATEWAY_DATABASE_URL", "must be a postgres:// URL");
  }
  const internalUrl = get(env, "ASYA_GATEWAY_INTERNAL_URL");
  if (internalUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(internalUrl))
    fail("ASYA_GATEWAY_INTERNAL_URL", "must be an http(s) URL");
  const retention = get(env, "ASYA_GATEWAY_RETENTION") ?? "7d";
  const days = /^(\d+)d$/.exec(retention);
  let retentionMs = 0;
  try {
    retentionMs =
      days === null ? parseDuration(retention, "ASYA_GATEWAY_RETENTION") : Number(days[1]) * 86_400_000;
  } catch {
    fail(
      "ASYA_GATEWAY_RETENTION",
      `expected a duration such as 7d, 12h or 30m, got ${JSON.stringify(retention)}`,
    );
  }
  if (retentionMs <= 0) fail("ASYA_GATEWAY_RETENTION", "must be positive");
  const publicUrl = get(env, "ASYA_GATEWAY_PUBLIC_URL");
  if (publicUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicUrl))
    fail("ASYA_GATEWAY_PUBLIC_URL", "must be an http(s) URL");
  const mcpAllowedOrigins = (get(env, "ASYA_GATEWAY_MCP_ALLOWED_ORIGINS") ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
  for (const origin of mcpAllowedOrigins)
    if (!/^https?:\/\/[^\s/]+$/.test(origin))
      fail(
        "ASYA_GATEWAY_MCP_ALLOWED_ORIGINS",
        `${JSON.stringify(origin)} is not an origin (scheme://host[:port])`,
      );
  const idle = get(env, "ASYA_GATEWAY_MCP_SESSION_IDLE") ?? "30m";
  let mcpSessionIdleMs = 0;
  try {
    mcpSessionIdleMs = parseDuration(idle, "ASYA_GATEWAY_MCP_SESSION_IDLE");
  } catch {
    fail(
      "ASYA_GATEWAY_MCP_SESSION_IDLE",
      `expected a duration such as 30m or 1h, got ${JSON.stringify(idle)}`,
    );
  }
  if (mcpSessionIdleMs <= 0) fail("ASYA_GATEWAY_MCP_SESSION_IDLE", "must be positive");
  return {
    port: port(env, "ASYA_GATEWAY_PORT", 8080),
    internalPort: port(env, "ASYA_GATEWAY_INTERNAL_PORT", 8081),
    host: get(env, "ASYA_GATEWAY_HOST") ?? "127.0.0.1",
    prefix,
    store: store as "memory" | "postgres",
    databaseUrl,
    apiKey: get(env, "ASYA_GATEWAY_API_KEY"),
    internalToken: get(env, "ASYA_GATEWAY_INTERNAL_TOKEN"),
    internalUrl,
    registryFile: get(env, "ASYA_GATEWAY_REGISTRY"),
    retentionMs,
    publicUrl,
    mcpAllowedOrigins,
    mcpSessionIdleMs,
  };
}

/** Opens the configured store. */
async function openStore(config: GatewayEnvConfig, logger: Logger): Promise<TaskStore> {
  if (config.store === "memory") return createMemoryTaskStore();
  return createPostgresTaskStore({
    connectionString: config.databaseUrl as string,
    logger: { warn: (message, fields) => logger.warn(message, fields) },
  });
}

/**
 * `asya gateway`: the mesh API and the actors' report listener, configured from the environment,
 * publishing new tasks on `ASYA_TRANSPORT` in `ASYA_NAMESPACE`; runs until `io.shutdownSignal`.
 *
 * @throws RuntimeConfigError for invalid configuration (naming the variable).
 */
export async function runGatewayFromEnv(io: CliIo): Promise<number> {
  const config = gatewayConfigFromEnv(io.env);
  const runtime = configFromEnv(io.env);
  // configFromEnv has checked ASYA_NAMESPACE (and the transport's variables) already.
  const { namespace } = runtime;
  const logger = createJsonLogger({
    level: runtime.logLevel,
    write: (line) => io.stderr.write(`${line}\n`),
  }).child({
    component: "gateway",
  });
  const transport = await loadTransport(runtime.transport, { logger });
  const registry =
    config.registryFile === undefined
      ? undefined
      : await watchRegistryFile(config.registryFile, (error) =>
          logger.warn("registry file not reloaded; keeping the previous one", { err: error.message }),
        );
  const store = await openStore(config, logger);
  const claimCheck = await claimCheckFromEnv(io.env);
  const gateway = await createGateway({
    transport,
    ...(claimCheck === undefined ? {} : { claimCheck }),
    store,
    ...(namespace === undefined ? {} : { namespace }),
    port: config.port,
    internalPort: config.internalPort,
    host: config.host,
    prefix: config.prefix,
    ...(config.apiKey === undefined ? {} : { apiKey: config.apiKey }),
    ...(config.internalToken === undefined ? {} : { internalToken: config.internalToken }),
    ...(config.internalUrl === undefined ? {} : { internalUrl: config.internalUrl }),
    ...(registry === undefined ? {} : { registry: () => registry.current() }),
    retentionMs: config.retentionMs,
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    allowedOrigins: config.mcpAllowedOrigins,
    mcpSessionIdleMs: config.mcpSessionIdleMs,
    logger,
  });
  io.stderr.write(
    `asya gateway: API ${gateway.url}${config.prefix}, MCP ${gateway.url}/mcp, A2A ${gateway.url}/a2a, reports ${gateway.internalUrl}${config.prefix}, store ${config.store}\n`,
  );
  await (io.shutdownSignal ?? new Promise<never>(() => undefined));
  await gateway.close();
  registry?.close();
  await store.close();
  await transport.close();
  return 0;
}
