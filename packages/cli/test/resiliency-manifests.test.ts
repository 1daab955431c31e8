import { configFromEnv } from "@asya/cli";
import { type AsyncActorInput, ManifestError, parseAsyncActor, renderActor } from "@asya/k8s-manifests";
import { RuntimeConfigError, resolveResiliency } from "@asya/runtime";
import { describe, expect, it } from "vitest";

// One resiliency schema and one set of variable names (@asya/envelope) serve the manifests and the
// runtime: what an AsyncActor accepts, `asya run` reads back unchanged, and what one refuses, so does
// the other, with the same message.

const actor = (resiliency: unknown): AsyncActorInput =>
  ({
    apiVersion: "asya.sh/v1alpha1",
    kind: "AsyncActor",
    metadata: { name: "worker" },
    spec: {
      actor: "worker",
      image: "example/worker:1",
      handler: "./dist/handler.js#process",
      transport: { type: "rabbitmq", rabbitmq: { urlSecretRef: { name: "amqp", key: "url" } } },
      resiliency,
    },
  }) as AsyncActorInput;

/** The container's literal variables, with the Secret-backed URL filled in as Kubernetes would. */
function containerEnv(input: AsyncActorInput): Record<string, string> {
  const deployment = renderActor(input).find((object) => object.kind === "Deployment") as unknown as {
    spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } };
  };
  const env: Record<string, string> = { ASYA_RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:5672" };
  for (const variable of deployment.spec.template.spec.containers[0]?.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
  }
  return env;
}

describe("resiliency from AsyncActor to asya run", () => {
  it("reads back exactly what resolveResiliency makes of the same input", () => {
    const resiliency = {
      actorTimeout: 45_000,
      policies: {
        default: { maxAttempts: 3, backoff: "exponential", initialDelay: "1.5s", maxInterval: "1m" },
        fallback: { maxAttempts: 2, backoff: "constant", initialDelay: 250, thenRoute: ["review"] },
      },
      rules: [
        { errors: ["TimeoutError"], policy: "fallback" },
        { errors: ["Error"], policy: "default" },
      ],
    } as const;
    const config = configFromEnv(containerEnv(actor(resiliency)));
    expect(config.resiliency).toEqual(resolveResiliency(resiliency));
    expect(config.resiliency.policies.default?.initialDelayMs).toBe(1_500);
    expect(config.resiliency.actorTimeoutMs).toBe(45_000);
  });

  it.each([
    [
      "a rule naming an unknown policy",
      { rules: [{ errors: ["Error"], policy: "nope" }] },
      "rules[0].policy",
    ],
    [
      "onExhausted and thenRoute together",
      { policies: { p: { onExhausted: ["a"], thenRoute: ["b"] } } },
      "policies.p",
    ],
    ["a malformed duration", { actorTimeout: "5 minutes" }, "actorTimeout"],
    ["a fractional millisecond count", { policies: { p: { initialDelay: 1.5 } } }, "policies.p.initialDelay"],
  ])("refuses %s in both, with the same message", (_what, resiliency, where) => {
    let runtimeMessage = "";
    try {
      resolveResiliency(resiliency);
    } catch (error) {
      expect(error).toBeInstanceOf(RuntimeConfigError);
      runtimeMessage = (error as RuntimeConfigError).detail ?? "";
    }
    expect(runtimeMessage).not.toBe("");
    let manifestError: unknown;
    try {
      parseAsyncActor(actor(resiliency));
    } catch (error) {
      manifestError = error;
    }
    expect(manifestError).toBeInstanceOf(ManifestError);
    expect((manifestError as Error).message).toContain(`resiliency.${where}`);
    expect((manifestError as Error).message).toContain(runtimeMessage);
  });
});
