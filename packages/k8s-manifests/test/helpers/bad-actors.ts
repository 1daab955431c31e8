/** A broken AsyncActor and where the error must point. */
export interface BadCase {
  readonly label: string;
  /** Mutates a valid AsyncActor (plain JSON) into a broken one. */
  readonly mutate: (actor: { spec: Record<string, unknown>; [key: string]: unknown }) => void;
  /** Path zod reports. */
  readonly path: string;
  /**
   * How the CRD rejects it: "schema" (plain openAPIV3Schema), "strict" (unknown field: rejected by
   * the apiserver's strict field validation, pruned otherwise), "cel" (x-kubernetes-validations),
   * "render" (the CRD accepts it; only the zod schema, i.e. `renderActor` / `asya manifests render`).
   */
  readonly crd: "schema" | "strict" | "cel" | "render";
}

type Obj = Record<string, unknown>;

function parentOf(root: Obj, keys: readonly string[]): Obj {
  return keys.slice(0, -1).reduce((node, key) => node[key] as Obj, root);
}

/** Sets `root[keys...] = value`. */
function set(keys: readonly string[], value: unknown): BadCase["mutate"] {
  return (root) => {
    parentOf(root, keys)[keys.at(-1)!] = value;
  };
}

/** Deletes `root[keys...]`. */
function del(keys: readonly string[]): BadCase["mutate"] {
  return (root) => {
    delete parentOf(root, keys)[keys.at(-1)!];
  };
}

export const BAD_CASES: readonly BadCase[] = [
  {
    label: "actor not a DNS label",
    mutate: set(["spec", "actor"], "Clean_Text"),
    path: "spec.actor",
    crd: "schema",
  },
  { label: "actor missing", mutate: del(["spec", "actor"]), path: "spec.actor", crd: "schema" },
  {
    label: "actor too long",
    mutate: set(["spec", "actor"], "a".repeat(64)),
    path: "spec.actor",
    crd: "schema",
  },
  { label: "empty image", mutate: set(["spec", "image"], ""), path: "spec.image", crd: "schema" },
  {
    label: "handler missing",
    mutate: del(["spec", "handler"]),
    path: "spec.handler",
    crd: "cel",
  },
  {
    label: "handler and runtime both",
    mutate: set(["spec", "runtime"], { type: "external", image: "ghcr.io/example/py:1" }),
    path: "spec.handler",
    crd: "cel",
  },
  {
    label: "bad imagePullPolicy",
    mutate: set(["spec", "imagePullPolicy"], "Sometimes"),
    path: "spec.imagePullPolicy",
    crd: "schema",
  },
  {
    label: "negative replicas",
    mutate: set(["spec", "replicas"], -1),
    path: "spec.replicas",
    crd: "schema",
  },
  {
    label: "maxReplicaCount 0",
    mutate: set(["spec", "scaling"], { maxReplicaCount: 0 }),
    path: "spec.scaling.maxReplicaCount",
    crd: "schema",
  },
  {
    label: "queueLength as string",
    mutate: set(["spec", "scaling"], { queueLength: "5" }),
    path: "spec.scaling.queueLength",
    crd: "schema",
  },
  {
    label: "fractional minReplicaCount",
    mutate: set(["spec", "scaling"], { minReplicaCount: 1.5 }),
    path: "spec.scaling.minReplicaCount",
    crd: "schema",
  },
  {
    label: "negative cooldownPeriod",
    mutate: set(["spec", "scaling"], { cooldownPeriod: -1 }),
    path: "spec.scaling.cooldownPeriod",
    crd: "schema",
  },
  {
    label: "bad metricType",
    mutate: set(["spec", "scaling"], { advanced: { metricType: "Max" } }),
    path: "spec.scaling.advanced.metricType",
    crd: "schema",
  },
  {
    label: "unknown transport",
    mutate: set(["spec", "transport", "type"], "kafka"),
    path: "spec.transport.type",
    crd: "schema",
  },
  {
    label: "transport missing",
    mutate: del(["spec", "transport"]),
    path: "spec.transport",
    crd: "schema",
  },
  {
    label: "secret ref without key",
    mutate: del(["spec", "transport", "rabbitmq", "urlSecretRef", "key"]),
    path: "spec.transport.rabbitmq.urlSecretRef.key",
    crd: "schema",
  },
  {
    label: "prefetch 0",
    mutate: set(["spec", "transport", "rabbitmq", "prefetch"], 0),
    path: "spec.transport.rabbitmq.prefetch",
    crd: "schema",
  },
  {
    label: "actorTimeout not a duration",
    mutate: set(["spec", "resiliency"], { actorTimeout: "soon" }),
    path: "spec.resiliency.actorTimeout",
    crd: "schema",
  },
  {
    label: "negative actorTimeout",
    mutate: set(["spec", "resiliency"], { actorTimeout: -5 }),
    path: "spec.resiliency.actorTimeout",
    crd: "schema",
  },
  {
    label: "unknown backoff",
    mutate: set(["spec", "resiliency"], { policies: { p: { backoff: "fibonacci" } } }),
    path: "spec.resiliency.policies.p.backoff",
    crd: "schema",
  },
  {
    label: "maxAttempts 0",
    mutate: set(["spec", "resiliency"], { policies: { p: { maxAttempts: 0 } } }),
    path: "spec.resiliency.policies.p.maxAttempts",
    crd: "schema",
  },
  {
    label: "onExhausted not actor names",
    mutate: set(["spec", "resiliency"], { policies: { p: { onExhausted: ["Bad_Actor"] } } }),
    path: "spec.resiliency.policies.p.onExhausted[0]",
    crd: "schema",
  },
  {
    label: "rule without errors",
    mutate: set(["spec", "resiliency"], { policies: { p: {} }, rules: [{ errors: [], policy: "p" }] }),
    path: "spec.resiliency.rules[0].errors",
    crd: "schema",
  },
  {
    label: "bad env name",
    mutate: set(["spec", "env"], [{ name: "1BAD", value: "x" }]),
    path: "spec.env[0].name",
    crd: "schema",
  },
  {
    label: "bad quantity",
    mutate: set(["spec", "resources"], { limits: { memory: "lots" } }),
    path: "spec.resources.limits.memory",
    crd: "schema",
  },
  {
    label: "fractional numeric quantity",
    mutate: set(["spec", "resources"], { requests: { cpu: 0.5 } }),
    path: "spec.resources.requests.cpu",
    crd: "schema",
  },
  {
    label: "bad toleration operator",
    mutate: set(["spec", "tolerations"], [{ operator: "Maybe" }]),
    path: "spec.tolerations[0].operator",
    crd: "schema",
  },
  {
    label: "relative mountPath",
    mutate: set(["spec", "volumeMounts"], [{ name: "v", mountPath: "data" }]),
    path: "spec.volumeMounts[0].mountPath",
    crd: "schema",
  },
  {
    label: "volume without name",
    mutate: set(["spec", "volumes"], [{ emptyDir: {} }]),
    path: "spec.volumes[0].name",
    crd: "schema",
  },
  {
    label: "secretRef without keys",
    mutate: set(["spec", "secretRefs"], [{ secretName: "s", keys: [] }]),
    path: "spec.secretRefs[0].keys",
    crd: "schema",
  },
  {
    label: "nodeSelector value not a string",
    mutate: set(["spec", "nodeSelector"], { pool: 1 }),
    path: "spec.nodeSelector.pool",
    crd: "schema",
  },
  {
    label: "tracing endpoint not a URL",
    mutate: set(["spec", "tracing"], { endpoint: "otel:4317" }),
    path: "spec.tracing.endpoint",
    crd: "schema",
  },
  {
    label: "unknown tracing protocol",
    mutate: set(["spec", "tracing"], { endpoint: "http://otel:4317", protocol: "thrift" }),
    path: "spec.tracing.protocol",
    crd: "schema",
  },
  {
    label: "concurrency 0",
    mutate: set(["spec", "concurrency"], 0),
    path: "spec.concurrency",
    crd: "schema",
  },
  {
    label: "healthPort out of range",
    mutate: set(["spec", "healthPort"], 70_000),
    path: "spec.healthPort",
    crd: "schema",
  },
  {
    label: "mesh namespace not a DNS label",
    mutate: set(["spec", "namespace"], "Prod"),
    path: "spec.namespace",
    crd: "schema",
  },
  {
    label: "claimCheck s3 without bucket",
    mutate: set(["spec", "claimCheck"], { store: "s3" }),
    path: "spec.claimCheck.bucket",
    crd: "cel",
  },
  {
    label: "claimCheck file without dir",
    mutate: set(["spec", "claimCheck"], { store: "file" }),
    path: "spec.claimCheck.dir",
    crd: "cel",
  },
  {
    label: "claimCheck s3 with a dir",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", dir: "/claims" }),
    path: "spec.claimCheck.dir",
    crd: "cel",
  },
  {
    label: "claimCheck file with a bucket",
    mutate: set(["spec", "claimCheck"], { store: "file", dir: "/claims", bucket: "claims" }),
    path: "spec.claimCheck.bucket",
    crd: "cel",
  },
  {
    label: "claimCheck file with an s3Endpoint",
    mutate: set(["spec", "claimCheck"], { store: "file", dir: "/claims", s3Endpoint: "http://moto:5000" }),
    path: "spec.claimCheck.s3Endpoint",
    crd: "cel",
  },
  {
    label: "claimCheck store gcs",
    mutate: set(["spec", "claimCheck"], { store: "gcs", bucket: "claims" }),
    path: "spec.claimCheck.store",
    crd: "schema",
  },
  {
    label: "claimCheck bucket not a bucket name",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "My Bucket" }),
    path: "spec.claimCheck.bucket",
    crd: "schema",
  },
  {
    label: "claimCheck prefix with a leading slash",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", prefix: "/claims" }),
    path: "spec.claimCheck.prefix",
    crd: "schema",
  },
  {
    label: "claimCheck relative dir",
    mutate: set(["spec", "claimCheck"], { store: "file", dir: "claims" }),
    path: "spec.claimCheck.dir",
    crd: "schema",
  },
  {
    label: "claimCheck s3Endpoint not a URL",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", s3Endpoint: "moto:5000" }),
    path: "spec.claimCheck.s3Endpoint",
    crd: "schema",
  },
  {
    label: "claimCheck thresholdBytes 0",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", thresholdBytes: 0 }),
    path: "spec.claimCheck.thresholdBytes",
    crd: "schema",
  },
  {
    label: "claimCheck thresholdBytes not an integer",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", thresholdBytes: 1.5 }),
    path: "spec.claimCheck.thresholdBytes",
    crd: "schema",
  },
  {
    label: "claimCheck gzip not a boolean",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", gzip: "yes" }),
    path: "spec.claimCheck.gzip",
    crd: "schema",
  },
  {
    label: "misspelled claimCheck field",
    mutate: set(["spec", "claimCheck"], { store: "s3", bucket: "claims", threshold: 10 }),
    path: "spec.claimCheck",
    crd: "strict",
  },
  {
    label: "claimCheck file dir on no volume",
    mutate: set(["spec", "claimCheck"], { store: "file", dir: "/var/lib/asya/claims" }),
    path: "spec.claimCheck.dir",
    crd: "render",
  },
  { label: "misspelled spec field", mutate: set(["spec", "replica"], 2), path: "spec", crd: "strict" },
  {
    label: "misspelled scaling field",
    mutate: set(["spec", "scaling"], { maxReplicas: 3 }),
    path: "spec.scaling",
    crd: "strict",
  },
  {
    label: "inline AMQP URL (secrets only by reference)",
    mutate: set(["spec", "transport", "rabbitmq", "url"], "amqp://u:p@h"),
    path: "spec.transport.rabbitmq",
    crd: "strict",
  },
  {
    label: "settings of another transport",
    mutate: set(["spec", "transport", "type"], "sqs"),
    path: "spec.transport.sqs",
    crd: "cel",
  },
  {
    label: "minReplicaCount above maxReplicaCount",
    mutate: set(["spec", "scaling"], { minReplicaCount: 5, maxReplicaCount: 2 }),
    path: "spec.scaling.minReplicaCount",
    crd: "cel",
  },
  {
    label: "formula without target",
    mutate: set(["spec", "scaling"], { advanced: { formula: "q * 2" } }),
    path: "spec.scaling.advanced.target",
    crd: "cel",
  },
  {
    label: "two Pub/Sub identities",
    mutate: set(["spec", "transport"], {
      type: "pubsub",
      pubsub: {
        projectId: "my-project",
        gcpServiceAccount: "a@my-project.iam.gserviceaccount.com",
        credentialsSecretRef: { name: "k", key: "key.json" },
      },
    }),
    path: "spec.transport.pubsub.credentialsSecretRef",
    crd: "cel",
  },
];
