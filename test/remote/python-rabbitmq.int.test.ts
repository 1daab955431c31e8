import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGatewayProcess } from "../gateway/gateway-process.js";
import { ActorProcess, REPO_ROOT, stopAll } from "../reliability/harness/actor-process.js";
import { launchActor, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { waitFor } from "../reliability/harness/wait.js";
import { type PythonRuntime, pythonRuntime } from "./python-runtime.js";

// From outside: a Python handler module under `asya run` with ASYA_HANDLER_SOCKET in a RabbitMQ
// pipeline through `asya gateway`; a JS handler under `asya serve-handler` called the same way;
// a runtime that dies makes the actor exit non-zero.

const JS = join(REPO_ROOT, "test/gateway/fixtures/handlers.js");
const SERVED = join(REPO_ROOT, "test/remote/fixtures/js-handlers.js");

describe("handlers in another process on RabbitMQ (asya run + ASYA_HANDLER_SOCKET)", () => {
  const processes: ActorProcess[] = [];
  const runtimes: PythonRuntime[] = [];
  const namespace = uniqueNamespace("remote");
  let api = "";
  let pyActor: ActorProcess | undefined;
  let python: PythonRuntime | undefined;

  beforeAll(async () => {
    const broker = rabbitMqEnv(rabbitMqUrl());
    const gateway = await startGatewayProcess({
      broker,
      namespace,
      registry:
        "tools:\n  - name: py-stamp\n    route: [py, stamp]\n  - name: served\n    route: [served, stamp]\n",
    });
    processes.push(gateway.process);
    api = `${gateway.base}/api/v1`;
    const trusted = { ASYA_GATEWAY_URL: gateway.internal };
    python = pythonRuntime();
    runtimes.push(python);
    // The actor starts first and waits for its runtime (runtime-ready, /healthz) before consuming.
    pyActor = new ActorProcess({
      label: "py",
      args: ["run"],
      env: {
        ...broker,
        ...trusted,
        ASYA_ACTOR_NAME: "py",
        ASYA_NAMESPACE: namespace,
        ASYA_HANDLER_SOCKET: python.socketPath,
        ASYA_HANDLER_SOCKET_GRACE: "1s",
        ASYA_CONCURRENCY: "8",
        ASYA_HEALTH_PORT: "off",
        ASYA_LOG_LEVEL: "info",
      },
    });
    processes.push(pyActor);
    await pyActor.start();
    await waitFor(
      "the actor to wait for its runtime",
      () => pyActor?.tail().includes("waiting for the handler runtime") === true,
      30_000,
    );
    await python.start();
    await waitFor(
      "the actor to see its runtime",
      () => pyActor?.tail().includes("handler runtime ready") === true,
      30_000,
    );
    // A JS handler served by `asya serve-handler`, called by another `asya run` the same way.
    const socketDir = mkdtempSync(join(tmpdir(), "asya-served-"));
    const served = new ActorProcess({
      label: "serve-handler",
      args: ["serve-handler"],
      env: { ASYA_HANDLER: `${SERVED}#stream`, ASYA_SOCKET_DIR: socketDir, ASYA_LOG_LEVEL: "warn" },
    });
    processes.push(served);
    await served.start();
    const launched = await Promise.all([
      launchActor({
        name: "served",
        namespace,
        broker,
        env: { ...trusted, ASYA_HANDLER_SOCKET: join(socketDir, "asya-runtime.sock") },
      }),
      launchActor({ name: "stamp", namespace, broker, handler: `${JS}#stamp`, env: trusted }),
      launchActor({
        name: "x-sink",
        namespace,
        broker,
        crew: "x-sink",
        env: { ...trusted, ASYA_SINK_STORE: "stdout" },
      }),
    ]);
    processes.push(...launched.map((actor) => actor.process));
  }, 120_000);

  afterAll(async () => {
    await stopAll(processes);
    for (const runtime of runtimes) await runtime.stop();
  });

  const run = async (tool: string, payload: unknown) => {
    const created = await fetch(`${api}/mesh?tool=${tool}`, {
      method: "POST",
      body: JSON.stringify({ payload }),
    });
    const { id } = (await created.json()) as { id: string };
    const response = await fetch(`${api}/mesh/${id}/events`);
    const text = await response.text(); // the stream closes after the final status
    const events = text
      .split("\n\n")
      .filter((block) => block.includes("data: "))
      .map((block) => ({
        event: /^event: (.*)$/m.exec(block)?.[1],
        data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null") as Record<string, unknown>,
      }));
    return events;
  };

  it("a Python handler's frames go on through the pipeline; its FLY events reach the gateway", async () => {
    const shouted = await run("py-stamp", { case: "shout", text: "hello" });
    expect(shouted.at(-1)?.data).toMatchObject({
      status: "succeeded",
      result: { case: "shout", text: "HELLO", stamped: true },
    });
    const streamed = await run("py-stamp", { case: "stream" });
    expect(streamed.filter((e) => e.event === "fly").map((e) => e.data)).toEqual([
      { step: "started" },
      { step: "done" },
    ]);
    expect(streamed.at(-1)?.data).toMatchObject({ status: "succeeded", result: { part: 1, stamped: true } });
  });

  it("a JS handler behind asya serve-handler streams its frames and FLY to the sidecar the same way", async () => {
    const events = await run("served", {});
    expect(events.filter((e) => e.event === "fly").map((e) => e.data)).toEqual([{ step: "start" }]);
    expect(events.at(-1)?.data).toMatchObject({ status: "succeeded", result: { part: 1, stamped: true } });
  });

  it("a runtime that dies: the actor reports it and exits non-zero (so Kubernetes restarts the pod)", async () => {
    await python?.kill();
    const exit = await (pyActor as ActorProcess).waitForExit(30_000);
    expect(exit.code).toBe(1);
    expect(pyActor?.tail()).toContain("the handler runtime stopped answering /healthz");
  });
});
