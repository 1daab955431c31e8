import { parseDuration, RuntimeConfigError } from "@asya/runtime";

// Reading ASYA_* variables: one set of rules for `asya run` and `asya gateway`.

/** Environment variables as read by {@link configFromEnv}. */
export type Env = Readonly<Record<string, string | undefined>>;

export const fail = (variable: string, message: string, cause?: unknown): never => {
  throw new RuntimeConfigError(`${variable}: ${message}`, {
    code: "INVALID_CONFIG",
    field: variable,
    ...(cause === undefined ? {} : { cause }),
  });
};

/** Reads a variable; empty strings count as unset. */
export function get(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function int(env: Env, name: string, min: number, max: number): number | undefined {
  const raw = get(env, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    return fail(name, `expected an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/**
 * `ASYA_GATEWAY_PREFIX` (the same variable for actors and the gateway): unset is undefined, and
 * unlike other variables `""` is a value (a gateway mounted at the root).
 * @throws RuntimeConfigError naming the variable when it does not start with "/".
 */
export function gatewayPrefix(env: Env): string | undefined {
  const prefix = env.ASYA_GATEWAY_PREFIX?.trim();
  if (prefix !== undefined && prefix !== "" && !prefix.startsWith("/")) {
    fail("ASYA_GATEWAY_PREFIX", 'must start with "/" (or be empty)');
  }
  return prefix?.replace(/\/+$/, "");
}

/**
 * A positive duration variable (`30s`, `10m`, `24h`, or ms), `fallback` when unset (undefined when
 * there is none).
 * @throws RuntimeConfigError `INVALID_CONFIG` naming the variable.
 */
export function positiveDuration(env: Env, name: string, fallback?: string): number | undefined {
  const raw = get(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  try {
    const ms = parseDuration(raw, name);
    if (ms > 0) return ms;
  } catch {
    // reported below
  }
  return fail(name, `expected a positive duration such as 30s, 10m or 24h, got ${JSON.stringify(raw)}`);
}
