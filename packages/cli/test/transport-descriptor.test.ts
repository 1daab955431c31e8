import { configFromEnv, runActorFromEnv } from "@asya/cli";
import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import {
  createMemoryTransport,
  defineTransport,
  envInt,
  type MemoryTransport,
  registerTransport,
  transportKinds,
} from "@asya/transport";
import { describe, expect, it } from "vitest";

// A new broker is a descriptor (in its own package) plus one registry line; registering one in
// process is the same seam: configuration, `asya run` and the adapter's own variables all follow.
describe("a registered transport descriptor", () => {
  const created: Array<{ options: { visibilityMs: number }; transport: MemoryTransport }> = [];
  registerTransport(
    defineTransport<{ visibilityMs: number }>({
      kind: "fakemq",
      packageName: "@example/transport-fakemq",
      sdk: undefined,
      env: [{ name: "FAKEMQ_VISIBILITY_MS", default: "30000", meaning: "visibility timeout" }],
      fromEnv: (env) => ({
        visibilityMs: envInt(env, "fakemq", "FAKEMQ_VISIBILITY_MS", 1, 600_000) ?? 30_000,
      }),
      create: (options) => {
        const transport = createMemoryTransport({
          name: "fakemq",
          visibilityTimeoutMs: options.visibilityMs,
        });
        created.push({ options, transport });
        return transport;
      },
    }),
  );

  it("is a valid ASYA_TRANSPORT, and `asya run` runs an actor on it with its own variables", async () => {
    expect(transportKinds()).toContain("fakemq");
    expect(configFromEnv({ ASYA_TRANSPORT: "fakemq" }).transport.kind).toBe("fakemq");
    let stop!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = runActorFromEnv({
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {
        ASYA_TRANSPORT: "fakemq",
        FAKEMQ_VISIBILITY_MS: "5000",
        ASYA_ACTOR_NAME: "clean",
        ASYA_HANDLER: "@asya/cli/demo#clean",
        ASYA_HEALTH_PORT: "off",
        ASYA_LOG_LEVEL: "silent",
      },
      shutdownSignal: shutdown,
    });
    await expect.poll(() => created.length).toBe(1);
    const [{ options, transport }] = created as [(typeof created)[number]];
    expect(options).toEqual({ visibilityMs: 5_000 });
    const spy = createEnvelopeSpy(transport);
    await transport.publish("asya-clean", {
      body: encodeEnvelope(
        createEnvelope({ id: "f-1", route: ["clean"], payload: { doc: "d", text: "  a  b " } }),
      ),
    });
    const done = await spy.waitFor("f-1", { to: "x-sink" });
    expect(done.envelope?.payload).toEqual({ doc: "d", text: "a b" });
    stop();
    expect(await running).toBe(0);
  });

  it("an unknown kind is refused, listing the kinds this process knows", () => {
    expect(() => configFromEnv({ ASYA_TRANSPORT: "kafka" })).toThrow(
      /ASYA_TRANSPORT: expected memory, rabbitmq, sqs, pubsub, fakemq, got "kafka"/,
    );
  });
});
