import { RESILIENCY_ENV } from "@asya/envelope";
import type { AsyncActorSpec } from "./async-actor-schema.js";
import { CLAIM_CHECK_ENV } from "./claim-check-schema.js";
import { adapterEnv, fromSecret, literal, withUserEnv } from "./internal/container-parts.js";
import { stableJson } from "./internal/plain.js";
import { transportPartOf } from "./transport-kubernetes.js";

/** A container environment variable as rendered (value or Secret reference, never a secret value). */
export interface RenderedEnvVar {
  readonly name: string;
  readonly value?: string | undefined;
  readonly valueFrom?: Readonly<Record<string, unknown>> | undefined;
}

/** The adapter's variables (its descriptor's `fromEnv` names). */
function transportEnv(spec: AsyncActorSpec): RenderedEnvVar[] {
  const { kubernetes, settings } = transportPartOf(spec.transport);
  return adapterEnv(kubernetes, settings);
}

/** A duration for an env var: numbers (milliseconds) get an explicit `ms` unit, strings pass as written. */
function durationEnv(value: number | string | undefined): string | undefined {
  return typeof value === "number" ? `${value}ms` : value;
}

/** The claim-check variables `claimCheckFromEnv` reads; only the fields written (the runtime has the defaults). */
function claimCheckEnv(spec: AsyncActorSpec): RenderedEnvVar[] {
  const claimCheck = spec.claimCheck;
  if (claimCheck === undefined) return [];
  return [
    ...literal(CLAIM_CHECK_ENV.store, claimCheck.store),
    ...literal(CLAIM_CHECK_ENV.bucket, claimCheck.bucket),
    ...literal(CLAIM_CHECK_ENV.prefix, claimCheck.prefix),
    ...literal(CLAIM_CHECK_ENV.dir, claimCheck.dir),
    ...literal(CLAIM_CHECK_ENV.s3Endpoint, claimCheck.s3Endpoint),
    ...literal(CLAIM_CHECK_ENV.thresholdBytes, claimCheck.thresholdBytes),
    ...literal(CLAIM_CHECK_ENV.gzip, claimCheck.gzip === undefined ? undefined : String(claimCheck.gzip)),
  ];
}

/** The actor timeout as written (`actorTimeout`, or Asya's `timeout.actor`), if any. */
export function actorTimeoutOf(spec: AsyncActorSpec): number | string | undefined {
  return spec.resiliency?.actorTimeout ?? spec.resiliency?.timeout?.actor;
}

/** Where the handler container's socket is, in the shared emptyDir (Asya's default path). */
export const HANDLER_SOCKET_DIR = "/var/run/asya";
export const HANDLER_SOCKET_PATH = `${HANDLER_SOCKET_DIR}/asya-runtime.sock`;

/**
 * Environment of the runtime container, using the names the runtime's `configFromEnv` reads. Order:
 * identity, transport, resiliency, claim-check, runtime, tracing, `secretRefs`, then the user's `env`; a user
 * variable replaces a generated one of the same name.
 */
export function runtimeEnv(spec: AsyncActorSpec, meshNamespace: string | undefined): RenderedEnvVar[] {
  const resiliency = spec.resiliency;
  const generated: RenderedEnvVar[] = [
    ...literal("ASYA_ACTOR_NAME", spec.actor),
    ...literal("ASYA_NAMESPACE", meshNamespace),
    ...literal("ASYA_HANDLER", spec.runtime === undefined ? spec.handler : undefined),
    ...literal("ASYA_HANDLER_SOCKET", spec.runtime === undefined ? undefined : HANDLER_SOCKET_PATH),
    ...literal("ASYA_CREW", spec.crew),
    ...literal("ASYA_TRANSPORT", spec.transport.type),
    ...transportEnv(spec),
    ...literal(RESILIENCY_ENV.actorTimeout, durationEnv(actorTimeoutOf(spec))),
    ...literal(RESILIENCY_ENV.policies, resiliency?.policies && stableJson(resiliency.policies)),
    ...literal(RESILIENCY_ENV.rules, resiliency?.rules && stableJson(resiliency.rules)),
    ...claimCheckEnv(spec),
    ...literal("ASYA_CONCURRENCY", spec.concurrency),
    // The runtime binds 127.0.0.1 by default; kubelet probes come from outside the container.
    ...literal("ASYA_HEALTH_HOST", "0.0.0.0"),
    ...literal("ASYA_HEALTH_PORT", spec.healthPort),
    ...literal("OTEL_SERVICE_NAME", spec.tracing && spec.actor),
    ...literal("OTEL_EXPORTER_OTLP_ENDPOINT", spec.tracing?.endpoint),
    ...literal("OTEL_EXPORTER_OTLP_PROTOCOL", spec.tracing?.protocol),
    ...(spec.secretRefs ?? []).flatMap((ref) =>
      ref.keys.map((k) => fromSecret(k.envVar, ref.secretName, k.key)),
    ),
  ];
  return withUserEnv(generated, spec.env);
}
