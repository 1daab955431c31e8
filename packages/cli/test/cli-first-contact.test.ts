import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ActorProcess, stopAll } from "../../../test/reliability/harness/actor-process.js";
import { waitFor } from "../../../test/reliability/harness/wait.js";
import { freePort } from "../../../test/setup/net.js";

// What a new user meets first, checked on the built `asya` bin as a separate process: each mistake
// gets an `[asya:...]` message naming the variable or flag, and a non-zero exit.
const started: ActorProcess[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await stopAll(started.splice(0));
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function asya(env: Record<string, string>, args: readonly string[] = ["run"], cwd?: string): ActorProcess {
  const actor = new ActorProcess({ label: "asya", args, env, ...(cwd === undefined ? {} : { cwd }) });
  started.push(actor);
  return actor;
}

const demoActor = { ASYA_ACTOR_NAME: "clean", ASYA_HANDLER: "@asya/cli/demo#clean" };

async function exitOf(actor: ActorProcess): Promise<{ code: number | null; output: string }> {
  await actor.start();
  const { code } = await actor.waitForExit(30_000);
  return { code, output: actor.tail() };
}

describe("asya CLI first contact", () => {
  it("send with no ASYA_TRANSPORT refuses (the message would vanish with the process)", async () => {
    const { code, output } = await exitOf(asya({}, ["send", "clean", "--payload", "{}"]));
    expect(code).toBe(1);
    expect(output).toContain("[asya:runtime] ASYA_TRANSPORT is unset (the default is memory)");
    // No envelope id was printed as if it had been sent.
    expect(output).not.toMatch(/^[0-9a-f-]{36}$/m);
  });

  it("run with ASYA_HEALTH_PORT=off on the memory transport keeps running until SIGTERM, then exits 0", async () => {
    const actor = asya({ ...demoActor, ASYA_HEALTH_PORT: "off" });
    await actor.start();
    await waitFor("actor started", () => actor.tail().includes('"actor started"'), 15_000);
    // Before the fix Node exited with code 13 right here (nothing held the event loop open).
    const early = await Promise.race([
      actor.waitForExit(60_000),
      new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 500)),
    ]);
    expect(early).toBe("running");
    actor.signal("SIGTERM");
    expect((await actor.waitForExit(15_000)).code).toBe(0);
    expect(actor.tail()).toContain('"actor stopped"');
  });

  it("a health port in use names ASYA_HEALTH_PORT and how to change it", async () => {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const { code, output } = await exitOf(asya({ ...demoActor, ASYA_HEALTH_PORT: String(port) }));
    expect(code).toBe(1);
    expect(output).toContain(
      `[asya:runtime] health server: 127.0.0.1:${port} is already in use (another actor or service on this host?): set ASYA_HEALTH_PORT`,
    );
    expect(output).toContain("0 for any free port, or off");
    expect(output).not.toContain("EADDRINUSE 127.0.0.1");
  });

  it("an unreachable broker is reported at once, while the adapter keeps retrying", async () => {
    const port = await freePort(); // nothing listens here
    const actor = asya({
      ...demoActor,
      ASYA_HEALTH_PORT: "0",
      ASYA_TRANSPORT: "rabbitmq",
      ASYA_RABBITMQ_URL: `amqp://guest:s3cret@127.0.0.1:${port}`,
    });
    const begun = Date.now();
    await actor.start();
    await waitFor(
      "a connection warning",
      () => actor.tail().includes("connection failed; reconnecting"),
      10_000,
    );
    expect(Date.now() - begun).toBeLessThan(10_000);
    expect(actor.tail()).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(actor.tail()).not.toContain("s3cret");
    expect(actor.running).toBe(true); // still retrying within the publish budget
    // SIGTERM while it is still connecting stops it promptly and cleanly.
    actor.signal("SIGTERM");
    expect((await actor.waitForExit(5_000)).code).toBe(0);
  });

  it("explains ASYA_HANDLER paths without ./ and TypeScript handlers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "asya-first-"));
    mkdirSync(join(dir, "dist"));
    writeFileSync(join(dir, "dist", "handler.js"), "export const x = (p) => p;\n");
    writeFileSync(join(dir, "handler.ts"), "export const x = (p: unknown) => p;\n");
    const noDot = await exitOf(
      asya({ ASYA_ACTOR_NAME: "a", ASYA_HANDLER: "dist/handler.js#x", ASYA_HEALTH_PORT: "0" }, ["run"], dir),
    );
    expect(noDot.code).toBe(1);
    expect(noDot.output).toContain('A path needs "./"');
    expect(noDot.output).toContain("use ASYA_HANDLER=./dist/handler.js#x");
    // With @asya/flow installed (it is in this workspace), a .ts handler runs through its loader.
    const ts = asya(
      { ASYA_ACTOR_NAME: "a", ASYA_HANDLER: "./handler.ts#x", ASYA_HEALTH_PORT: "0" },
      ["run"],
      dir,
    );
    await ts.start();
    await waitFor("the .ts handler's actor", () => ts.tail().includes('"msg":"actor started"'), 20_000);
    ts.signal("SIGTERM");
    expect((await ts.waitForExit(10_000)).code).toBe(0);
    // A TypeScript error at load time (the loader strips types, it does not check) is a clear import error.
    writeFileSync(join(dir, "broken.ts"), "export const x = (p: unknown => p;\n");
    const broken = await exitOf(
      asya({ ASYA_ACTOR_NAME: "a", ASYA_HANDLER: "./broken.ts#x", ASYA_HEALTH_PORT: "0" }, ["run"], dir),
    );
    expect(broken.code).toBe(1);
    expect(broken.output).toContain("[asya:runtime] ASYA_HANDLER: cannot import ./broken.ts");
  }, 60_000);

  it("invalid JSON in ASYA_RESILIENCY_POLICIES exits 1 with the parser's position", async () => {
    const { code, output } = await exitOf(asya({ ...demoActor, ASYA_RESILIENCY_POLICIES: '{"a":{,}}' }));
    expect(code).toBe(1);
    expect(output).toContain("[asya:runtime] ASYA_RESILIENCY_POLICIES: invalid JSON:");
    expect(output).toContain("position 6");
  });
});
