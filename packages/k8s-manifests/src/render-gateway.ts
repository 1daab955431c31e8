import { type AsyaGateway, type AsyaGatewayInput, asyaGatewaySchema } from "./gateway-schema.js";
import {
  adapterEnv,
  fromSecret,
  literal,
  secretMountParts,
  withUserEnv,
} from "./internal/container-parts.js";
import { MANAGED_BY } from "./internal/labels.js";
import { prune } from "./internal/plain.js";
import type { KubernetesObject } from "./kubernetes-object.js";
import { ManifestError } from "./manifest-error.js";
import { formatFieldPath, yamlDocuments } from "./parse-async-actor.js";
import type { RenderedEnvVar } from "./runtime-env.js";
import { transportPartOf } from "./transport-kubernetes.js";

const REGISTRY_DIR = "/etc/asya/registry";

/**
 * Validates a gateway spec.
 * @throws {ManifestError} `INVALID_SPEC` listing each bad field with its path.
 */
export function parseAsyaGateway(input: unknown, source = "AsyaGateway"): AsyaGateway {
  const result = asyaGatewaySchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: formatFieldPath(issue.path),
    message: issue.message,
  }));
  throw new ManifestError(
    `invalid ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`,
    {
      code: "INVALID_SPEC",
      issues,
      cause: result.error,
    },
  );
}

/** Parses the first gateway document of YAML text. */
export function parseAsyaGatewayYaml(text: string, source = "input"): AsyaGateway {
  const [first] = yamlDocuments(text, source);
  if (first === undefined)
    throw new ManifestError(`${source}: no AsyaGateway document found`, { code: "INVALID_SPEC" });
  return parseAsyaGateway(first.value, first.where);
}

const secret = (name: string, ref: { name: string; key: string } | undefined): RenderedEnvVar[] =>
  ref === undefined ? [] : [fromSecret(name, ref.name, ref.key)];

/**
 * Renders a gateway (GATEWAY.md; `asya gateway` in the container): ServiceAccount, Deployment with
 * two ports (`http` for the API, `internal` for actor reports), probes on `/healthz` and `/readyz`,
 * and a Service for both. The broker part (variables, pod identity) comes from the transport
 * adapter's descriptor, as for actors; the database URL and tokens come from Secrets. Actors in the
 * mesh set `ASYA_GATEWAY_URL` to the internal URL this renders into `ASYA_GATEWAY_INTERNAL_URL`.
 *
 * @throws {ManifestError} `INVALID_SPEC` for an invalid spec.
 */
export function renderGateway(input: AsyaGateway | AsyaGatewayInput): KubernetesObject[] {
  const gateway = parseAsyaGateway(input);
  const { name, namespace } = gateway.metadata;
  const spec = gateway.spec;
  const selector = { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": "asya-gateway" };
  const labels = {
    ...gateway.metadata.labels,
    ...selector,
    "app.kubernetes.io/component": "gateway",
    "app.kubernetes.io/part-of": "asya",
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
  const { kubernetes, settings } = transportPartOf(spec.transport);
  const secrets = secretMountParts(kubernetes.secretMounts(settings));
  const internalHost = namespace === undefined ? name : `${name}.${namespace}.svc`;
  const env: RenderedEnvVar[] = [
    ...literal("ASYA_TRANSPORT", spec.transport.type),
    ...adapterEnv(kubernetes, settings),
    ...literal("ASYA_NAMESPACE", spec.namespace ?? namespace),
    ...literal("ASYA_GATEWAY_HOST", "0.0.0.0"),
    ...literal("ASYA_GATEWAY_PORT", spec.port),
    ...literal("ASYA_GATEWAY_INTERNAL_PORT", spec.internalPort),
    ...literal("ASYA_GATEWAY_PREFIX", spec.prefix),
    ...literal("ASYA_GATEWAY_INTERNAL_URL", `http://${internalHost}:${spec.internalPort}`),
    ...literal("ASYA_GATEWAY_STORE", spec.store.type),
    ...secret(
      "ASYA_GATEWAY_DATABASE_URL",
      spec.store.type === "postgres" ? spec.store.databaseUrlSecretRef : undefined,
    ),
    ...secret("ASYA_GATEWAY_API_KEY", spec.apiKeySecretRef),
    ...secret("ASYA_GATEWAY_INTERNAL_TOKEN", spec.internalTokenSecretRef),
    ...literal("ASYA_GATEWAY_REGISTRY", spec.registry && `${REGISTRY_DIR}/${spec.registry.key}`),
    ...literal("ASYA_GATEWAY_RETENTION", spec.retention),
    ...literal("ASYA_GATEWAY_PUBLIC_URL", spec.publicUrl),
  ];
  const volumes = [
    ...secrets.volumes,
    ...(spec.registry === undefined
      ? []
      : [{ name: "registry", configMap: { name: spec.registry.configMap } }]),
  ];
  const volumeMounts = [
    ...secrets.volumeMounts,
    ...(spec.registry === undefined ? [] : [{ name: "registry", mountPath: REGISTRY_DIR, readOnly: true }]),
  ];
  const probe = (path: string) => ({
    httpGet: { path, port: "http" },
    periodSeconds: 5,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  const annotations = kubernetes.serviceAccountAnnotations(settings);
  return prune([
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name,
        namespace,
        labels,
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name: "asya-gateway",
                image: spec.image,
                imagePullPolicy: spec.imagePullPolicy,
                args: ["gateway"],
                env: withUserEnv(env, spec.env),
                ports: [
                  { name: "http", containerPort: spec.port, protocol: "TCP" },
                  { name: "internal", containerPort: spec.internalPort, protocol: "TCP" },
                ],
                livenessProbe: probe("/healthz"),
                readinessProbe: probe("/readyz"),
                resources: spec.resources,
                volumeMounts: volumeMounts.length > 0 ? volumeMounts : undefined,
              },
            ],
            volumes: volumes.length > 0 ? volumes : undefined,
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace, labels },
      spec: {
        selector,
        ports: [
          { name: "http", port: spec.port, targetPort: "http", protocol: "TCP" },
          { name: "internal", port: spec.internalPort, targetPort: "internal", protocol: "TCP" },
        ],
      },
    },
  ]);
}
