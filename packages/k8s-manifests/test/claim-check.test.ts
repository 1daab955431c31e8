import { readFileSync } from "node:fs";
import {
  CLAIM_CHECK_ENV,
  type KubernetesObject,
  ManifestError,
  parseAsyncActor,
  renderActor,
} from "@asya/k8s-manifests";
import { describe, expect, it } from "vitest";
import {
  actorInput,
  fileClaimCheck,
  pubsub,
  rabbitmq,
  renderVariants,
  s3ClaimCheck,
  sqs,
} from "./helpers/variants.js";

type EnvVar = { name: string; value?: string; valueFrom?: unknown };
type Container = { name: string; env?: EnvVar[]; volumeMounts?: unknown[] };
const byKind = (objects: readonly KubernetesObject[], kind: string) => objects.find((o) => o.kind === kind)!;
const podOf = (objects: readonly KubernetesObject[]) =>
  (
    byKind(objects, "Deployment").spec as {
      template: { spec: { containers: Container[]; volumes?: unknown[] } };
    }
  ).template.spec;
const claimEnvOf = (container: Container) =>
  (container.env ?? []).filter((variable) => variable.name.startsWith("ASYA_CLAIM_CHECK_"));
const runtimeClaimEnv = (objects: readonly KubernetesObject[]) => claimEnvOf(podOf(objects).containers[0]!);

describe("spec.claimCheck", () => {
  it("s3: renders every field as the ASYA_CLAIM_CHECK_* variables asya run reads", () => {
    expect(runtimeClaimEnv(renderActor(actorInput(sqs, { claimCheck: s3ClaimCheck })))).toEqual([
      { name: "ASYA_CLAIM_CHECK_STORE", value: "s3" },
      { name: "ASYA_CLAIM_CHECK_BUCKET", value: "asya-claims-prod" },
      { name: "ASYA_CLAIM_CHECK_PREFIX", value: "pipelines/claims" },
      { name: "ASYA_CLAIM_CHECK_S3_ENDPOINT", value: "http://moto:5000" },
      { name: "ASYA_CLAIM_CHECK_THRESHOLD_BYTES", value: "200000" },
      { name: "ASYA_CLAIM_CHECK_GZIP", value: "true" },
    ]);
  });

  it("s3: only the fields written (the runtime applies prefix, threshold and gzip defaults); gzip false is kept", () => {
    const minimal = renderActor(actorInput(rabbitmq, { claimCheck: { store: "s3", bucket: "claims" } }));
    expect(runtimeClaimEnv(minimal)).toEqual([
      { name: "ASYA_CLAIM_CHECK_STORE", value: "s3" },
      { name: "ASYA_CLAIM_CHECK_BUCKET", value: "claims" },
    ]);
    const noGzip = renderActor(
      actorInput(rabbitmq, { claimCheck: { store: "s3", bucket: "claims", gzip: false } }),
    );
    expect(runtimeClaimEnv(noGzip)).toContainEqual({ name: "ASYA_CLAIM_CHECK_GZIP", value: "false" });
  });

  it("file: renders store and dir, and leaves the user's shared volume and mount as written", () => {
    const objects = renderActor(
      actorInput(rabbitmq, {
        ...fileClaimCheck,
        claimCheck: { ...fileClaimCheck.claimCheck, prefix: "claims" },
      }),
    );
    expect(runtimeClaimEnv(objects)).toEqual([
      { name: "ASYA_CLAIM_CHECK_STORE", value: "file" },
      { name: "ASYA_CLAIM_CHECK_PREFIX", value: "claims" },
      { name: "ASYA_CLAIM_CHECK_DIR", value: "/var/lib/asya/claims" },
    ]);
    const pod = podOf(objects);
    expect(pod.volumes).toEqual([{ name: "claims", persistentVolumeClaim: { claimName: "asya-claims" } }]);
    expect(pod.containers[0]!.volumeMounts).toEqual([{ name: "claims", mountPath: "/var/lib/asya" }]);
  });

  it("renders no ASYA_CLAIM_CHECK_* variable without claimCheck", () => {
    for (const [label, input] of Object.entries(renderVariants())) {
      if (input.spec.claimCheck !== undefined) continue;
      expect(runtimeClaimEnv(renderActor(input)), label).toEqual([]);
    }
  });

  it("reaches crew actors (x-sink resolves claims) and the runtime container only, not a handler container", () => {
    const sink = renderVariants()["x-sink crew with a claim-check"]!;
    const sinkEnv = podOf(renderActor(sink)).containers[0]!.env!;
    expect(sinkEnv).toContainEqual({ name: "ASYA_CREW", value: "x-sink" });
    expect(claimEnvOf({ name: "runtime", env: sinkEnv })).toHaveLength(6);

    const { handler: _handler, ...base } = actorInput(sqs, { claimCheck: s3ClaimCheck }).spec;
    const external = renderActor({
      ...actorInput(sqs),
      spec: { ...base, runtime: { type: "external", image: "ghcr.io/example/py-handler:1" } },
    });
    const [runtime, handler] = podOf(external).containers;
    expect(claimEnvOf(runtime!)).toHaveLength(6);
    expect(handler!.name).toBe("asya-handler");
    expect(claimEnvOf(handler!)).toEqual([]);
  });

  it("lets a user env var replace a generated claim-check variable", () => {
    const objects = renderActor(
      actorInput(sqs, {
        claimCheck: s3ClaimCheck,
        env: [{ name: "ASYA_CLAIM_CHECK_THRESHOLD_BYTES", value: "100000" }],
      }),
    );
    const thresholds = runtimeClaimEnv(objects).filter((v) => v.name === "ASYA_CLAIM_CHECK_THRESHOLD_BYTES");
    expect(thresholds).toEqual([{ name: "ASYA_CLAIM_CHECK_THRESHOLD_BYTES", value: "100000" }]);
  });

  it("uses exactly the variable names @asya/claim-check's claimCheckFromEnv reads", () => {
    const source = readFileSync(
      new URL("../../claim-check/src/claim-check-from-env.ts", import.meta.url),
      "utf8",
    );
    const list = /export const CLAIM_CHECK_ENV = \[([^\]]*)\]/.exec(source)?.[1];
    expect(list).toBeDefined();
    const read = [...list!.matchAll(/"(ASYA_CLAIM_CHECK_\w+)"/g)].map((m) => m[1]).sort();
    expect(Object.values(CLAIM_CHECK_ENV).sort()).toEqual(read);
  });

  it("leaves KEDA untouched: ServiceAccount, TriggerAuthentication and ScaledObject identical with and without it", () => {
    const cases = [
      [rabbitmq, { claimCheck: s3ClaimCheck }],
      [sqs, { claimCheck: s3ClaimCheck }],
      [pubsub, { claimCheck: s3ClaimCheck }],
      [rabbitmq, fileClaimCheck],
    ] as const;
    for (const [transport, extra] of cases) {
      // The file case's volumes are part of the comparison's baseline: only claimCheck differs.
      const { claimCheck: _c, ...rest } = extra as { claimCheck: unknown };
      const without = renderActor(actorInput(transport, rest));
      const withIt = renderActor(actorInput(transport, extra));
      expect(withIt.map((o) => o.kind)).toEqual(without.map((o) => o.kind));
      for (const kind of ["ServiceAccount", "TriggerAuthentication", "ScaledObject"]) {
        expect(byKind(withIt, kind), `${transport.type} ${kind}`).toEqual(byKind(without, kind));
      }
      expect(byKind(withIt, "ScaledObject").spec).toMatchObject({ triggers: [{ name: "queue" }] });
      // ...and the Deployment differs only by the claim-check variables.
      const strip = (objects: readonly KubernetesObject[]) => {
        const deployment = structuredClone(byKind(objects, "Deployment")) as KubernetesObject;
        const containers = (deployment.spec as { template: { spec: { containers: Container[] } } }).template
          .spec.containers;
        for (const container of containers) {
          if (container.env)
            container.env = container.env.filter((v) => !v.name.startsWith("ASYA_CLAIM_CHECK_"));
        }
        return deployment;
      };
      expect(strip(withIt)).toEqual(strip(without));
    }
  });

  it("refuses an incomplete or contradictory claimCheck with the field's path", () => {
    const refused = (claimCheck: unknown, extra: object = {}) => {
      try {
        parseAsyncActor(actorInput(rabbitmq, { claimCheck, ...extra } as never));
      } catch (error) {
        expect(error).toBeInstanceOf(ManifestError);
        expect((error as ManifestError).code).toBe("INVALID_SPEC");
        return (error as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused({ store: "s3" })).toMatch(
      /spec\.claimCheck\.bucket: required when store is s3 \(the bucket holding the claims\)/,
    );
    expect(refused({ store: "file" }, { volumeMounts: [{ name: "v", mountPath: "/claims" }] })).toMatch(
      /spec\.claimCheck\.dir: required when store is file/,
    );
    expect(refused({ store: "file", dir: "/data/claims" })).toMatch(
      /spec\.claimCheck\.dir: must be at or below a volumeMounts\[\]\.mountPath: mount a ReadWriteMany volume/,
    );
    expect(
      refused({ store: "file", dir: "/claimsx" }, { volumeMounts: [{ name: "v", mountPath: "/claims" }] }),
    ).toMatch(/spec\.claimCheck\.dir: must be at or below/);
    expect(refused({ store: "s3", bucket: "claims", dir: "/claims" })).toMatch(
      /spec\.claimCheck\.dir: not allowed when store is s3/,
    );
    expect(
      refused(
        { store: "file", dir: "/c", bucket: "claims", s3Endpoint: "http://moto:5000" },
        {
          volumeMounts: [{ name: "v", mountPath: "/c" }],
        },
      ),
    ).toMatch(
      /spec\.claimCheck\.bucket: not allowed when store is file\n\s+spec\.claimCheck\.s3Endpoint: not allowed/,
    );
    expect(refused({ store: "gcs", bucket: "claims" })).toMatch(
      /spec\.claimCheck\.store: must be s3 or file/,
    );
    expect(refused({ store: "s3", bucket: "claims", thresholdBytes: -1 })).toMatch(
      /spec\.claimCheck\.thresholdBytes/,
    );
    expect(refused({ store: "s3", bucket: "claims", gzip: "true" })).toMatch(/spec\.claimCheck\.gzip/);
    expect(refused({ store: "s3", bucket: "claims", s3Endpoint: "localhost:9000" })).toMatch(
      /spec\.claimCheck\.s3Endpoint: must be an http:\/\/ or https:\/\/ URL/,
    );
    // A dir exactly at a mount path, or below it, is fine.
    for (const dir of ["/claims", "/claims/", "/claims/a/b"]) {
      expect(() =>
        parseAsyncActor(
          actorInput(rabbitmq, {
            claimCheck: { store: "file", dir },
            volumeMounts: [{ name: "v", mountPath: "/claims" }],
          }),
        ),
      ).not.toThrow();
    }
  });
});
