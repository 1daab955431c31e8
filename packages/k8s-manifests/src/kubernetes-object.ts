/** A rendered Kubernetes object as plain JSON data. */
export interface KubernetesObject {
  /** Group/version, e.g. `apps/v1`. */
  readonly apiVersion: string;
  /** Kind, e.g. `Deployment`. */
  readonly kind: string;
  /** Object metadata (`undefined` entries never survive rendering). */
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string | undefined;
    readonly labels?: Readonly<Record<string, string>> | undefined;
    readonly annotations?: Readonly<Record<string, string>> | undefined;
  };
  /** Everything else (`spec`, ...). */
  readonly [key: string]: unknown;
}
