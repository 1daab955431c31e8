import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActorProcess } from "../reliability/harness/actor-process.js";
import type { BrokerEnv } from "../reliability/harness/mesh.js";
import { freePort } from "../setup/net.js";

/** A running `asya gateway` process and where it listens. */
export interface GatewayProcess {
  readonly process: ActorProcess;
  /** `http://127.0.0.1:<port>` of the external listener (API, /mcp, /a2a). */
  readonly base: string;
  /** `http://127.0.0.1:<port>` of the internal listener (actors' ASYA_GATEWAY_URL). */
  readonly internal: string;
}

/**
 * Starts `asya gateway` on free ports with `registry` (YAML) as its registry file and `env` on top,
 * and waits until /healthz answers.
 * @throws Error with the process output when it does not come up within 30 s.
 */
export async function startGatewayProcess(options: {
  readonly broker: BrokerEnv;
  readonly namespace: string;
  readonly registry: string;
  readonly env?: Readonly<Record<string, string>>;
}): Promise<GatewayProcess> {
  const apiPort = await freePort();
  const internalPort = await freePort();
  const registry = join(mkdtempSync(join(tmpdir(), "asya-gw-")), "registry.yaml");
  writeFileSync(registry, options.registry);
  const gateway = new ActorProcess({
    label: "gateway",
    args: ["gateway"],
    env: {
      ...options.broker,
      ASYA_NAMESPACE: options.namespace,
      ASYA_GATEWAY_PORT: String(apiPort),
      ASYA_GATEWAY_INTERNAL_PORT: String(internalPort),
      ASYA_GATEWAY_REGISTRY: registry,
      ASYA_LOG_LEVEL: "warn",
      ...options.env,
    },
  });
  await gateway.start();
  const base = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) {
      await gateway.kill();
      throw new Error(`gateway did not start:\n${gateway.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { process: gateway, base, internal: `http://127.0.0.1:${internalPort}` };
}
