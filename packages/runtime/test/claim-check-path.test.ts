import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ClaimCheck, createClaimCheck, createFileClaimStore } from "@asya/claim-check";
import { createEnvelope, type Envelope, encodeEnvelope, HEADER_CLAIM, queueName } from "@asya/envelope";
import { type Actor, createSinkActor, replayEnvelope } from "@asya/runtime";
import type { Transport } from "@asya/transport";
import { afterEach, describe, expect, it } from "vitest";
import { quietLogger, setup, until } from "./helpers.js";

// Claim-check in the message path (GATEWAY.md section 7) on the memory transport with a 256 KiB
// limit and the file store: what goes on the wire, what handlers see, what x-sink stores.

const LIMIT_BYTES = 256 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function claimCheckIn(): { claimCheck: ClaimCheck; objects: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "asya-path-claims-"));
  dirs.push(dir);
  const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir }) });
  const objects = () => {
    try {
      return readdirSync(join(dir, "asya-claims"));
    } catch {
      return [];
    }
  };
  return { claimCheck, objects };
}
/** An x-sink with `claimCheck` whose store is the returned array; stopped after the test. */
async function startSink(transport: Transport, claimCheck: ClaimCheck): Promise<Envelope[]> {
  const stored: Envelope[] = [];
  const sink = createSinkActor({
    transport,
    claimCheck,
    logger: quietLogger,
    store: { write: async (envelope: Envelope) => void stored.push(envelope) },
  });
  await sink.start();
  sinks.push(sink);
  return stored;
}
const sinks: Actor[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.stop({ graceMs: 100 });
});

const claimOf = (envelope: Envelope | undefined) =>
  envelope?.headers?.[HEADER_CLAIM] as { uri: string; bytes: number; sha256: string } | undefined;

describe("claim-check in the message path", () => {
  it("a 1 MiB output crosses a 256 KiB transport: claims on the wire, real payloads in handlers, x-sink stores it resolved", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck, objects } = claimCheckIn();
    const seen: Array<{ actor: string; payload: unknown }> = [];
    await t.actor({
      name: "make",
      claimCheck,
      handler: (p: { n: number }) => ({ n: p.n, text: "ab".repeat(512 * 1024) }),
    });
    await t.actor({
      name: "shout",
      claimCheck,
      handler: (p: { n: number; text: string }) => {
        seen.push({ actor: "shout", payload: p });
        return { ...p, text: p.text.toUpperCase() };
      },
    });
    await t.actor({
      name: "small",
      claimCheck,
      handler: (p: { n: number; text: string }) => {
        seen.push({ actor: "small", payload: { n: p.n, length: p.text.length } });
        return { n: p.n, length: p.text.length, head: p.text.slice(0, 4) };
      },
    });
    const stored = await startSink(t.transport, claimCheck);
    await t.send({ id: "big-1", route: ["make", "shout", "small"], payload: { n: 7 } });
    const done = await t.spy.waitFor("big-1", { to: "x-sink", phase: "succeeded" });
    // Small at the end: inline, no claim.
    expect(claimOf(done.envelope)).toBeUndefined();
    expect(done.envelope?.payload).toEqual({ n: 7, length: 1024 * 1024, head: "ABAB" });
    // The two big hops were claims: payload null, small bodies, the same route as ever.
    for (const to of ["shout", "small"]) {
      const hop = t.spy.history("big-1").find((record) => record.to === to);
      expect(hop?.envelope?.payload).toBeNull();
      expect(claimOf(hop?.envelope)?.uri).toMatch(/^file:\/\/.*\/asya-claims\/[0-9a-f]{64}$/);
      expect(hop?.envelope?.route.curr).toBe(to);
    }
    expect(seen.map((s) => s.actor)).toEqual(["shout", "small"]);
    expect((seen[0]?.payload as { text?: string } | undefined)?.text).toBe("ab".repeat(512 * 1024));
    expect(objects()).toHaveLength(2);
    await until(() => stored.length > 0);
    expect(stored[0]?.payload).toEqual(done.envelope?.payload);
  });

  it("x-sink stores a claimed result resolved, without the claim header", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck } = claimCheckIn();
    await t.actor({
      name: "grow",
      claimCheck,
      handler: (p: { n: number }) => ({ n: p.n, pad: "z".repeat(400_000) }),
    });
    const stored = await startSink(t.transport, claimCheck);
    await t.send({ id: "grow-1", route: ["grow"], payload: { n: 1 } });
    const atSink = await t.spy.waitFor("grow-1", { to: "x-sink" });
    expect(atSink.envelope?.payload).toBeNull();
    await until(() => stored.length > 0);
    expect(stored[0]?.payload).toEqual({ n: 1, pad: "z".repeat(400_000) });
    expect(stored[0]?.headers?.[HEADER_CLAIM]).toBeUndefined();
    expect(stored[0]?.status?.phase).toBe("succeeded");
  });

  it("replays a failed envelope with a large payload as a claim; the actor it goes to resolves it", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck } = claimCheckIn();
    const seen: number[] = [];
    await t.actor({
      name: "again",
      claimCheck,
      handler: (p: { pad: string }) => {
        seen.push(p.pad.length);
        return { length: p.pad.length };
      },
    });
    // What x-sump stored: failed at `again`, the payload resolved (large).
    const failed = createEnvelope({
      id: "replay-1",
      route: { prev: [], curr: "again", next: [] },
      status: { phase: "failed", reason: "PolicyExhausted", actor: "again", attempt: 3 },
      payload: { pad: "r".repeat(500_000) },
    });
    const replayed = await replayEnvelope(failed, { transport: t.transport, claimCheck });
    expect(replayed.route.curr).toBe("again");
    const sent = t.spy.history("replay-1").find((record) => record.to === "again");
    expect(sent?.envelope?.payload).toBeNull();
    expect(claimOf(sent?.envelope)).toBeDefined();
    const done = await t.spy.waitFor("replay-1", { to: "x-sink", phase: "succeeded" });
    expect(done.envelope?.payload).toEqual({ length: 500_000 });
    expect(seen).toEqual([500_000]);
  });

  it("identical fan-out children store one object", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck, objects } = claimCheckIn();
    await t.actor({
      name: "split",
      claimCheck,
      async *handler() {
        for (let i = 0; i < 5; i++) yield { same: "q".repeat(300_000) };
      },
    });
    await t.send({ id: "fan-1", route: ["split"], payload: {} });
    for (const id of ["fan-1", "fan-1-1", "fan-1-4"]) await t.spy.waitFor(id, { to: "x-sink" });
    const uris = new Set(
      t.spy
        .records()
        .filter((r) => r.to === "x-sink")
        .map((r) => claimOf(r.envelope)?.uri),
    );
    expect(uris.size).toBe(1);
    expect(objects()).toHaveLength(1);
  });

  it("a missing object is retried by policy (the handler never runs), then fails at x-sink with the claim kept", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck } = claimCheckIn();
    let calls = 0;
    await t.actor({
      name: "needs",
      claimCheck,
      resiliency: {
        policies: { again: { maxAttempts: 3, initialDelay: "10ms" } },
        rules: [{ errors: ["ClaimCheckError"], policy: "again" }],
      },
      handler: (p: unknown) => {
        calls++;
        return p;
      },
    });
    const sha = "0".repeat(64);
    const claim = {
      uri: claimCheck.store.uriOf(sha),
      bytes: 10,
      sha256: sha,
      content_type: "application/json",
    };
    await t.send({ id: "gone-1", route: ["needs"], payload: null, headers: { [HEADER_CLAIM]: claim } });
    const failed = await t.spy.waitFor("gone-1", { to: "x-sink", phase: "failed" });
    expect(calls).toBe(0);
    expect(failed.envelope?.status).toMatchObject({ reason: "PolicyExhausted", attempt: 3 });
    expect(failed.envelope?.status?.error?.type).toMatch(/ClaimCheckError/);
    expect(failed.envelope?.status?.error?.message).toMatch(/does not exist/);
    expect(failed.envelope?.headers?.[HEADER_CLAIM]).toEqual(claim);
    expect(failed.envelope?.payload).toBeNull();
  });

  it("x-sink keeps a failed envelope whose claim cannot be resolved as it came: status, claim and all", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck } = claimCheckIn();
    const stored = await startSink(t.transport, claimCheck);
    const sha = "2".repeat(64);
    const claim = {
      uri: claimCheck.store.uriOf(sha),
      bytes: 10,
      sha256: sha,
      content_type: "application/json",
    };
    const status = {
      phase: "failed",
      reason: "PolicyExhausted",
      actor: "needs",
      attempt: 3,
      error: { type: "ClaimCheckError", message: "gone" },
    } as const;
    const envelope = createEnvelope({
      id: "kept-1",
      route: { prev: ["needs"], curr: "", next: [] },
      status,
      payload: null,
      headers: { [HEADER_CLAIM]: claim },
    });
    await t.transport.publish(queueName("x-sink"), { body: encodeEnvelope(envelope) });
    await until(() => stored.length > 0);
    expect(stored[0]?.status).toMatchObject(status);
    expect(stored[0]?.headers?.[HEADER_CLAIM]).toEqual(claim);
  });

  it("a claim outside the store, or with a payload too, fails at once (not retryable); no claim-check configured is an error too", async () => {
    const t = setup({ maxMessageBytes: LIMIT_BYTES });
    const { claimCheck } = claimCheckIn();
    let calls = 0;
    const policy = {
      policies: { again: { maxAttempts: 5, initialDelay: "10ms" } },
      rules: [{ errors: ["ClaimCheckError"], policy: "again" }],
    };
    const handler = (p: unknown) => {
      calls++;
      return p;
    };
    await t.actor({ name: "strict", claimCheck, resiliency: policy, handler });
    await t.actor({ name: "plain", resiliency: policy, handler });
    const sha = "1".repeat(64);
    const claim = {
      uri: `s3://elsewhere/asya-claims/${sha}`,
      bytes: 10,
      sha256: sha,
      content_type: "application/json",
    };
    await t.send({ id: "far-1", route: ["strict"], payload: null, headers: { [HEADER_CLAIM]: claim } });
    const own = { ...claim, uri: claimCheck.store.uriOf(sha) };
    await t.send({ id: "both-1", route: ["strict"], payload: { x: 1 }, headers: { [HEADER_CLAIM]: own } });
    await t.send({ id: "none-1", route: ["plain"], payload: null, headers: { [HEADER_CLAIM]: own } });
    const expectations: Array<[string, RegExp]> = [
      ["far-1", /outside the file store/],
      ["both-1", /both x-asya-claim and a payload/],
      ["none-1", /no claim-check store/],
    ];
    for (const [id, message] of expectations) {
      const failed = await t.spy.waitFor(id, { to: "x-sink", phase: "failed" });
      expect(failed.envelope?.status?.error?.message).toMatch(message);
      expect(failed.envelope?.status?.attempt).toBe(1);
    }
    expect(calls).toBe(0);
  });
});
