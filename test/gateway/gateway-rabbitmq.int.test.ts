import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorProcess, asyaCliPath, REPO_ROOT, stopAll } from "../reliability/harness/actor-process.js";
import { type LaunchedActor, launchActor, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { startGatewayProcess } from "./gateway-process.js";

// From outside: `asya gateway` and three `asya run` actors (plus x-sink) as processes on a private RabbitMQ node, tasks
// created over plain HTTP and by `asya call`, events read with the `eventsource` package.

const execFileAsync = promisify(execFile);
const HANDLERS = join(REPO_ROOT, "test/gateway/fixtures/handlers.js");
const TASKS = Number(process.env.ASYA_TEST_GATEWAY_TASKS ?? 200);

interface Seen {
  readonly type: string;
  readonly data: { status?: string; [key: string]: unknown };
}

function follow(url: string): Promise<Seen[]> {
  return new Promise((resolve, reject) => {
    const events: Seen[] = [];
    const source = new EventSource(url);
    const timer = setTimeout(() => {
      source.close();
      reject(new Error(`no terminal event on ${url} after 60 s: ${JSON.stringify(events)}`));
    }, 60_000);
    const on = (type: string) => (message: MessageEvent) => {
      const data = JSON.parse(message.data as string) as Seen["data"];
      events.push({ type, data });
      if (type === "status" && ["succeeded", "failed", "canceled"].includes(data.status ?? "")) {
        clearTimeout(timer);
        source.close();
        resolve(events);
      }
    };
    source.addEventListener("status", on("status"));
    source.addEventListener("fly", on("fly"));
  });
}

describe("asya gateway with asya run actors on RabbitMQ", () => {
  const processes: ActorProcess[] = [];
  const namespace = uniqueNamespace("gw");
  let api = "";
  let internal = "";
  let apiPort = 0;

  beforeAll(async () => {
    const broker = rabbitMqEnv(rabbitMqUrl());
    const gateway = await startGatewayProcess({
      broker,
      namespace,
      registry: "tools:\n  - name: shout-stream\n    route: [shout, stream, stamp]\n    timeout: 60\n",
      env: { ASYA_GATEWAY_INTERNAL_TOKEN: "internal-secret" },
    });
    processes.push(gateway.process);
    apiPort = Number(new URL(gateway.base).port);
    api = `${gateway.base}/api/v1`;
    internal = gateway.internal;
    const trusted = { ASYA_GATEWAY_URL: internal, ASYA_GATEWAY_TOKEN: "internal-secret" };
    const actors: LaunchedActor[] = [
      await launchActor({ name: "shout", namespace, broker, handler: `${HANDLERS}#shout`, env: trusted }),
      await launchActor({ name: "stream", namespace, broker, handler: `${HANDLERS}#stream`, env: trusted }),
      await launchActor({ name: "stamp", namespace, broker, handler: `${HANDLERS}#stamp`, env: trusted }),
      await launchActor({
        name: "x-sink",
        namespace,
        broker,
        crew: "x-sink",
        env: { ...trusted, ASYA_SINK_STORE: "stdout" },
      }),
    ];
    processes.push(...actors.map((actor) => actor.process));
  }, 120_000);

  afterAll(async () => {
    await stopAll(processes);
  });

  it(`${TASKS} tasks with one SSE client each: every client sees its events in order, ending in one terminal event`, async () => {
    const ids = await Promise.all(
      Array.from({ length: TASKS }, async (_, i) => {
        const response = await fetch(`${api}/mesh?tool=shout-stream`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ payload: { text: `hi${i}` } }),
        });
        expect(response.status).toBe(201);
        return ((await response.json()) as { id: string }).id;
      }),
    );
    const streams = await Promise.all(ids.map((id) => follow(`${api}/mesh/${id}/events`)));
    let live = 0;
    for (const [i, events] of streams.entries()) {
      const terminal = events.filter(
        (e) => e.type === "status" && ["succeeded", "failed", "canceled"].includes(e.data.status ?? ""),
      );
      expect(terminal).toHaveLength(1);
      expect(events.at(-1)?.data).toMatchObject({
        status: "succeeded",
        result: { said: `HI${i}`, stamped: true },
      });
      // A client that connected after the task ended gets that one status event (Asya's contract);
      // every other one sees the FLY letters in order and complete (a late joiner gets the kept ones).
      if (events.length > 1) {
        live++;
        const letters = events.filter((e) => e.type === "fly").map((e) => e.data.text);
        expect(letters.join("")).toBe(`HI${i}`);
      }
      const progress = events.filter((e) => e.type === "status").map((e) => Number(e.data.progress ?? 0));
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    }
    expect(live).toBeGreaterThan(0);
    console.info(`[gateway] ${TASKS} tasks, ${live} followed live, ${TASKS - live} joined after the end`);
  });

  it("asya call streams the FLY text, shows progress and prints the result; a canceled task is skipped by pre-flight", async () => {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [
        asyaCliPath(),
        "call",
        "shout-stream",
        "--payload",
        '{"text":"yo"}',
        "--gateway",
        `http://127.0.0.1:${apiPort}`,
      ],
      { cwd: REPO_ROOT, timeout: 60_000 },
    );
    expect(stdout).toBe('YO\n{"said":"YO","stamped":true}\n');
    expect(stderr).toMatch(/\[#+\.*\] 100\/100 succeeded/);
    expect(stderr).toMatch(/task [0-9a-f-]{36} succeeded/);

    // Canceled before an actor sees it: pre-flight skips the handler, x-sink ends it canceled.
    const response = await fetch(`${api}/mesh?actor=shout`, {
      method: "POST",
      body: '{"payload":{"text":"late"}}',
    });
    const { id } = (await response.json()) as { id: string };
    expect((await fetch(`${api}/mesh/${id}`, { method: "DELETE" })).status).toBe(204);
    const task = (await (await fetch(`${api}/mesh/${id}`)).json()) as { status: string };
    expect(task.status).toBe("canceled");
    // Reports need the internal token.
    expect((await fetch(`${internal}/api/v1/mesh/${id}`)).status).toBe(401);
  });
});
