/**
 * What an adapter contributes to an actor's Kubernetes objects (rendered by `@asya/k8s-manifests`):
 * the runtime container's variables, pod identity, mounted Secret files and the KEDA trigger. Each
 * adapter exports it SDK-free at `<package>/kubernetes` (as `transportKubernetes`) and on its
 * descriptor, so rendering manifests never loads a broker SDK.
 */

/** A reference to one key of a Secret in the actor's namespace (never a secret value). */
export interface SecretKeyReference {
  readonly name: string;
  readonly key: string;
}

/** A variable of the runtime container: a literal value or a Secret key reference. */
export type KubernetesEnvVar =
  | { readonly name: string; readonly value: string }
  | { readonly name: string; readonly secretKeyRef: SecretKeyReference };

/** A Secret mounted read-only into the runtime container (e.g. a credentials file). */
export interface KubernetesSecretMount {
  /** Volume name in the pod. */
  readonly volumeName: string;
  readonly secretName: string;
  readonly mountPath: string;
}

/** A KEDA scaler trigger on an actor's queue, and the spec of its TriggerAuthentication. */
export interface KedaTrigger {
  /** The KEDA scaler, e.g. `rabbitmq`, `aws-sqs-queue`, `gcp-pubsub`. */
  readonly type: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** TriggerAuthentication `spec`: Secret references or pod identity, never inline credentials. */
  readonly authentication: Readonly<Record<string, unknown>>;
}

/** What the trigger renderer is given. */
export interface KedaTriggerInput<TSettings> {
  /** The actor's queue (`queueName(actor, namespace)`). */
  readonly queue: string;
  /** Target messages per replica. */
  readonly queueLength: number;
  /** The AsyncActor's settings block for this broker (`spec.transport.<kind>`). */
  readonly settings: TSettings;
}

/**
 * The Kubernetes side of an adapter, for its AsyncActor settings block `TSettings`. Names of the
 * variables are the ones the descriptor's `fromEnv` reads.
 */
export interface TransportKubernetes<TSettings> {
  /** The `ASYA_TRANSPORT` value it belongs to. */
  readonly kind: string;
  /** Variables from which the descriptor's `fromEnv` rebuilds the adapter's options. */
  env(settings: TSettings): KubernetesEnvVar[];
  /** Annotations of the actor's ServiceAccount (pod identity), empty when none. */
  serviceAccountAnnotations(settings: TSettings): Record<string, string>;
  /** Secrets mounted into the runtime container, empty when none. */
  secretMounts(settings: TSettings): KubernetesSecretMount[];
  /** The KEDA trigger that scales the actor on its queue's backlog. */
  kedaTrigger(input: KedaTriggerInput<TSettings>): KedaTrigger;
}
