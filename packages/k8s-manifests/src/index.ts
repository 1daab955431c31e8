export {
  ASYNC_ACTOR_API_VERSION,
  ASYNC_ACTOR_GROUP,
  ASYNC_ACTOR_KIND,
  ASYNC_ACTOR_VERSION,
  type AsyncActor,
  type AsyncActorInput,
  type AsyncActorSpec,
  asyncActorMetadataSchema,
  asyncActorSchema,
  asyncActorSpecSchema,
  DEFAULT_HEALTH_PORT,
  tracingSchema,
} from "./async-actor-schema.js";
export { CLAIM_CHECK_ENV, type ClaimCheckSpec, claimCheckSchema } from "./claim-check-schema.js";
export { MANIFESTS_USAGE, type ManifestsCliIo, runManifestsCli } from "./cli.js";
export {
  ASYA_GATEWAY_KIND,
  type AsyaGateway,
  type AsyaGatewayInput,
  asyaGatewaySchema,
  gatewaySpecSchema,
  gatewayStoreSchema,
} from "./gateway-schema.js";
export { dnsLabel, isDnsLabel } from "./internal/dns-name.js";
export type { KubernetesObject } from "./kubernetes-object.js";
export {
  isManifestError,
  ManifestError,
  type ManifestErrorCode,
  type ManifestErrorOptions,
  type ManifestIssue,
} from "./manifest-error.js";
export { formatFieldPath, parseAsyncActor, parseAsyncActorsYaml } from "./parse-async-actor.js";
export {
  type EnvVarSpec,
  envVarSchema,
  resourcesSchema,
  type SecretRefSpec,
  secretRefSchema,
  tolerationSchema,
  volumeMountSchema,
  volumeSchema,
} from "./pod-schema.js";
export { renderActor } from "./render-actor.js";
export { ASYNC_ACTOR_CRD_NAME, asyncActorOpenApiSchema, renderCrd } from "./render-crd.js";
export {
  DRAIN_MARGIN_SECONDS,
  RUNTIME_CONTAINER_NAME,
  terminationGracePeriodSeconds,
} from "./render-deployment.js";
export { parseAsyaGateway, parseAsyaGatewayYaml, renderGateway } from "./render-gateway.js";
export { ACTOR_HPA_BEHAVIOR, triggerAuthenticationName } from "./render-scaling.js";
export {
  type ResiliencySpec,
  type RetryPolicySpec,
  resiliencyRuleSchema,
  resiliencySchema,
  retryPolicySchema,
} from "./resiliency-schema.js";
export { type RenderedEnvVar, runtimeEnv } from "./runtime-env.js";
export { type ScalingSpec, scalingAdvancedSchema, scalingSchema } from "./scaling-schema.js";
export { toYaml } from "./to-yaml.js";
export {
  pubSubSettingsSchema,
  rabbitMqSettingsSchema,
  sqsSettingsSchema,
  type TransportSpec,
  transportSchema,
} from "./transport-schema.js";
