import { runActorFromEnv, runCli } from "@asya/cli";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport } from "@asya/transport";
import { describe, expect, it } from "vitest";

function io(env: Record<string, string> = {}, shutdownSignal?: Promise<void>) {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: { ASYA_LOG_LEVEL: "silent", ASYA_HEALTH_PORT: "off", ...env },
      ...(shutdownSignal === undefined ? {} : { shutdownSignal }),
    },
  };
}

describe("asya CLI", () => {
  it("prints usage and rejects unknown commands", async () => {
    const help = io();
    expect(await runCli(["--help"], help.io)).toBe(0);
    expect(help.out.stdout).toContain("send <actor> --payload JSON");
    const bad = io();
    expect(await runCli(["frobnicate"], bad.io)).toBe(2);
  });

  it("reports config errors naming the variable, exit 1", async () => {
    const run = io({ ASYA_CONCURRENCY: "zero" });
    expect(await runCli(["run"], run.io)).toBe(1);
    expect(run.out.stderr).toContain("ASYA_CONCURRENCY");
  });

  it("send and replay refuse the memory transport: what they publish would vanish with the process", async () => {
    for (const [env, how] of [
      [{}, "is unset (the default is memory)"],
      [{ ASYA_TRANSPORT: "memory" }, "is memory"],
    ] as const) {
      const send = io(env);
      expect(await runCli(["send", "clean", "--payload", "{}"], send.io)).toBe(1);
      expect(send.out.stderr).toContain(`[asya:runtime] ASYA_TRANSPORT ${how}: \`asya send\` would publish`);
      expect(send.out.stdout).toBe(""); // no id printed as if it had been sent
    }
    const bad = io();
    expect(await runCli(["send", "clean", "--payload", "{nope"], bad.io)).toBe(1);
    expect(bad.out.stderr).toContain("--payload");
  });

  it("run starts the actor from env, loads the handler and drains on shutdown (exit 0)", async () => {
    const transport = createMemoryTransport();
    const spy = createEnvelopeSpy(transport);
    let stop!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const cli = io(
      { ASYA_ACTOR_NAME: "clean", ASYA_HANDLER: "@asya/cli/demo#clean", ASYA_HEALTH_PORT: "0" },
      shutdown,
    );
    const running = runActorFromEnv(cli.io, { transport });
    const { createEnvelope, encodeEnvelope } = await import("@asya/envelope");
    await transport.publish("asya-clean", {
      body: encodeEnvelope(
        createEnvelope({ id: "cli-1", route: ["clean"], payload: { doc: "d", text: "  a   b " } }),
      ),
    });
    const done = await spy.waitFor("cli-1", { to: "x-sink" });
    expect(done.envelope?.payload).toEqual({ doc: "d", text: "a b" });
    stop();
    expect(await running).toBe(0);
    await transport.close();
  });
});

describe("asya run with a gateway", () => {
  it("reports to ASYA_GATEWAY_URL with ASYA_GATEWAY_TOKEN under ASYA_GATEWAY_PREFIX", async () => {
    const { createServer } = await import("node:http");
    const paths: string[] = [];
    const auth: Array<string | undefined> = [];
    const server = createServer((request, response) => {
      paths.push(`${request.method} ${request.url}`);
      auth.push(request.headers.authorization);
      request.resume();
      request.on("end", () => response.writeHead(request.method === "GET" ? 404 : 204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const gateway = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const transport = createMemoryTransport();
    const spy = createEnvelopeSpy(transport);
    let stop!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const cli = io(
      {
        ASYA_ACTOR_NAME: "clean",
        ASYA_HANDLER: "@asya/cli/demo#clean",
        ASYA_GATEWAY_URL: gateway,
        ASYA_GATEWAY_PREFIX: "/gw",
        ASYA_GATEWAY_TOKEN: "internal-token",
      },
      shutdown,
    );
    const running = runActorFromEnv(cli.io, { transport });
    const { createEnvelope, encodeEnvelope } = await import("@asya/envelope");
    await transport.publish("asya-clean", {
      body: encodeEnvelope(
        createEnvelope({
          id: "gw-1",
          route: ["clean"],
          headers: { "x-asya-gateway-url": gateway },
          payload: { doc: "d", text: " a " },
        }),
      ),
    });
    await spy.waitFor("gw-1", { to: "x-sink" });
    // The running report is not waited for before the output goes out (only FLY events are).
    const deadline = Date.now() + 2_000;
    while (paths.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    stop();
    expect(await running).toBe(0);
    await transport.close();
    server.close();
    expect(paths).toEqual(["GET /gw/mesh/gw-1", "POST /gw/mesh/gw-1/events"]);
    expect(auth).toEqual(["Bearer internal-token", "Bearer internal-token"]);
  });
});

describe("asya replay and sink tail", () => {
  it("replay finds the envelope in the sump file and re-injects it; unknown ids exit 1", async () => {
    const { mkdtemp, writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { createEnvelope, stampStatus } = await import("@asya/envelope");
    const dir = await mkdtemp(join(tmpdir(), "asya-cli-"));
    const file = join(dir, "sump.jsonl");
    const failed = stampStatus(
      createEnvelope({ id: "dead-1", route: ["judge", "store"], payload: { v: 1 } }),
      {
        phase: "failed",
        reason: "PolicyExhausted",
        actor: "judge",
        attempt: 3,
      },
    );
    await writeFile(file, `${JSON.stringify(failed)}\nnot json\n`);
    const { replayFromFile } = await import("@asya/cli");
    const transport = createMemoryTransport();
    const spy = createEnvelopeSpy(transport);
    const ok = io();
    expect(await replayFromFile(ok.io, { id: "dead-1", file, transport })).toBe(0);
    expect(ok.out.stdout).toBe("replayed dead-1 to judge\n");
    const other = io();
    expect(await replayFromFile(other.io, { id: "dead-1", file, to: "review", transport })).toBe(0);
    expect(other.out.stdout).toContain("to review");
    expect(spy.records().map((r) => [r.to, r.envelope?.status?.phase, r.envelope?.status?.attempt])).toEqual([
      ["judge", "pending", 1],
      ["review", "pending", 1],
    ]);
    const missing = io();
    expect(await runCli(["replay", "nope", "--file", file], missing.io)).toBe(1);
    expect(missing.out.stderr).toContain("no envelope nope");
    const memory = io();
    expect(await runCli(["replay", "dead-1", "--file", file], memory.io)).toBe(1);
    expect(memory.out.stderr).toContain("`asya replay` would publish");
    await transport.close();
  });

  it("sink tail --follow prints lines appended later until shutdown", async () => {
    const { mkdtemp, appendFile, writeFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const { tailSink } = await import("@asya/cli");
    const dir = await mkdtemp(join(tmpdir(), "asya-tail-"));
    const file = join(dir, "results.jsonl");
    await writeFile(
      file,
      `${JSON.stringify({ id: "one", route: { prev: ["a"] }, status: { phase: "succeeded", reason: "Completed" } })}\n`,
    );
    let stop!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const cli = io({}, shutdown);
    const tailing = tailSink(cli.io, { file, follow: true, pollMs: 10 });
    await appendFile(
      file,
      `${JSON.stringify({ id: "two", route: { prev: ["b"] }, status: { phase: "failed", reason: "Timeout" } })}\n`,
    );
    const deadline = Date.now() + 2_000;
    while (!cli.out.stdout.includes("two") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    stop();
    await tailing;
    expect(cli.out.stdout).toBe("one succeeded/Completed via a\ntwo failed/Timeout via b\n");
  });
});

describe("sendEnvelopes", () => {
  it("publishes N envelopes with ids <id>-<n> addressed to the actor with the given route", async () => {
    const { sendEnvelopes } = await import("@asya/cli");
    const transport = createMemoryTransport();
    const cli = io();
    const sent = await sendEnvelopes(cli.io, {
      actor: "clean",
      payload: '{"n":1}',
      route: ["enrich", "judge"],
      count: 250,
      id: "batch",
      transport,
    });
    expect(sent).toHaveLength(250);
    expect(sent[249]?.id).toBe("batch-249");
    expect(sent[0]?.route).toEqual({ prev: [], curr: "clean", next: ["enrich", "judge"] });
    expect(await transport.depth("asya-clean")).toBe(250);
    expect(cli.out.stderr).toContain("250/250");
    await transport.close();
  });
});
