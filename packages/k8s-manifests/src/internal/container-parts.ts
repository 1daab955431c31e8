import type { KubernetesSecretMount, TransportKubernetes } from "@asya/transport";
import type { RenderedEnvVar } from "../runtime-env.js";

// Pieces of a container both an actor's Deployment and the gateway's are built from.

/** `[{name, value}]`, or nothing when the value is undefined. */
export function literal(name: string, value: string | number | undefined): RenderedEnvVar[] {
  return value === undefined ? [] : [{ name, value: String(value) }];
}

/** A variable read from a Secret key (never the value itself). */
export function fromSecret(name: string, secretName: string, key: string): RenderedEnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** The transport adapter's variables (its descriptor's `fromEnv` names): literals or Secret references. */
export function adapterEnv(kubernetes: TransportKubernetes<unknown>, settings: unknown): RenderedEnvVar[] {
  return kubernetes
    .env(settings)
    .map((variable) =>
      "secretKeyRef" in variable
        ? fromSecret(variable.name, variable.secretKeyRef.name, variable.secretKeyRef.key)
        : { name: variable.name, value: variable.value },
    );
}

/** The generated variables, then the user's; a user variable replaces a generated one of its name. */
export function withUserEnv(
  generated: readonly RenderedEnvVar[],
  user: readonly RenderedEnvVar[] = [],
): RenderedEnvVar[] {
  const overridden = new Set(user.map((variable) => variable.name));
  return [...generated.filter((variable) => !overridden.has(variable.name)), ...user.map((v) => ({ ...v }))];
}

/** The pod volumes and container mounts of the adapter's Secret mounts (read-only). */
export function secretMountParts(mounts: readonly KubernetesSecretMount[]) {
  return {
    volumes: mounts.map((mount) => ({ name: mount.volumeName, secret: { secretName: mount.secretName } })),
    volumeMounts: mounts.map((mount) => ({
      name: mount.volumeName,
      mountPath: mount.mountPath,
      readOnly: true,
    })),
  };
}
