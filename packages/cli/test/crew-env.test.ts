import { runActorFromEnv } from "@asya/cli";
import { createMemoryTransport } from "@asya/transport";
import { describe, expect, it } from "vitest";

// The variables of the stateful crew actors, the dedupe guard and the socket handler: a bad value
// fails at start naming the variable (RuntimeConfigError, field = the variable).

const run = (env: Record<string, string>, crew?: string) =>
  runActorFromEnv(
    {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: { ASYA_HEALTH_PORT: "off", ASYA_LOG_LEVEL: "silent", ...env },
      shutdownSignal: Promise.resolve(),
    },
    { transport: createMemoryTransport(), ...(crew === undefined ? {} : { crew }) },
  );

describe("crew, dedupe and socket variables", () => {
  it.each([
    [{ ASYA_PAUSE_METADATA: "{nope" }, "x-pause", "ASYA_PAUSE_METADATA"],
    [
      { ASYA_PAUSE_METADATA: '{"fields": [{"name": "a", "type": "date"}]}' },
      "x-pause",
      "ASYA_PAUSE_METADATA",
    ],
    [{ ASYA_RESUME_MERGE_MODE: "sideways" }, "x-resume", "ASYA_RESUME_MERGE_MODE"],
    [{ ASYA_FANIN_TIMEOUT: "soon", ASYA_ACTOR_NAME: "join" }, "fan-in", "ASYA_FANIN_TIMEOUT"],
    [{}, "fan-in", "ASYA_ACTOR_NAME"],
    [{ ASYA_STATE_STORE: "etcd" }, "x-pause", "ASYA_STATE_STORE"],
    [{ ASYA_STATE_STORE: "redis" }, "x-resume", "ASYA_STATE_URL"],
  ])("%j with --crew %s names %s", async (env, crew, field) => {
    await expect(run(env, crew)).rejects.toMatchObject({ code: "INVALID_CONFIG", field });
  });

  it("ASYA_DEDUPE_TTL and the socket handler are checked too", async () => {
    await expect(
      run({ ASYA_ACTOR_NAME: "a", ASYA_HANDLER: "@asya/cli/demo#clean", ASYA_DEDUPE_TTL: "-1s" }),
    ).rejects.toMatchObject({ field: "ASYA_DEDUPE_TTL" });
    await expect(
      run({ ASYA_ACTOR_NAME: "a", ASYA_HANDLER: "@asya/cli/demo#clean", ASYA_HANDLER_SOCKET: "/tmp/x.sock" }),
    ).rejects.toMatchObject({ field: "ASYA_HANDLER_SOCKET" });
    await expect(run({ ASYA_ACTOR_NAME: "a" })).rejects.toMatchObject({ field: "ASYA_HANDLER" });
  });

  it("the crew actors start with a memory store and stop on shutdown", async () => {
    for (const crew of ["x-pause", "x-resume"]) expect(await run({}, crew)).toBe(0);
    expect(await run({ ASYA_ACTOR_NAME: "join" }, "fan-in")).toBe(0);
  });
});
