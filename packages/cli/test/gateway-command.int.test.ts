import { runCli } from "@asya/cli";
import { describe, expect, it } from "vitest";
import { freePort } from "../../../test/setup/net.js";
import { testPostgresUrl } from "../../../test/setup/postgres.js";

describe("asya gateway from the environment", () => {
  it("serves the API on ASYA_GATEWAY_PORT with the postgres store, and stops on the shutdown signal", async () => {
    const [port, internal] = [await freePort(), await freePort()];
    let stop!: () => void;
    const shutdownSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let stderr = "";
    const running = runCli(["gateway"], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text) },
      env: {
        ASYA_LOG_LEVEL: "warn",
        ASYA_GATEWAY_PORT: String(port),
        ASYA_GATEWAY_INTERNAL_PORT: String(internal),
        ASYA_GATEWAY_STORE: "postgres",
        ASYA_GATEWAY_DATABASE_URL: testPostgresUrl(),
        ASYA_GATEWAY_API_KEY: "k",
      },
      shutdownSignal,
    });
    const api = `http://127.0.0.1:${port}/api/v1`;
    const deadline = Date.now() + 20_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`gateway did not start: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const auth = { authorization: "Bearer k" };
    const created = await fetch(`${api}/mesh?actor=clean`, { method: "POST", headers: auth, body: "{}" });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await (await fetch(`${api}/mesh/${id}`, { headers: auth })).json()).toMatchObject({
      id,
      status: "pending",
    });
    expect(stderr).toContain("store postgres");
    stop();
    expect(await running).toBe(0);
  });

  it.each([
    ["ASYA_GATEWAY_STORE", { ASYA_GATEWAY_STORE: "redis" }],
    ["ASYA_GATEWAY_DATABASE_URL", { ASYA_GATEWAY_STORE: "postgres" }],
    ["ASYA_GATEWAY_PORT", { ASYA_GATEWAY_PORT: "99999" }],
    ["ASYA_GATEWAY_RETENTION", { ASYA_GATEWAY_RETENTION: "forever" }],
  ])("names %s when it is wrong", async (variable, env) => {
    let stderr = "";
    const code = await runCli(["gateway"], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
      env,
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain(variable);
  });
});
