import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClaimCheckError, createClaimCheck, createFileClaimStore } from "@asya/claim-check";
import { HEADER_CLAIM } from "@asya/envelope";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport } from "@asya/transport";
import { describe, expect, it } from "vitest";
import { onCleanup, post, startGateway, until } from "./helpers.js";

describe("a large task input (GATEWAY.md section 7)", () => {
  it("is published by claim-check when the gateway has a store; small ones stay inline", async () => {
    const dir = mkdtempSync(join(tmpdir(), "asya-gateway-claims-"));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir }) });
    const transport = createMemoryTransport({ maxMessageBytes: 64 * 1024 });
    onCleanup(() => transport.close());
    const { api } = await startGateway({ transport, claimCheck });
    const spy = createEnvelopeSpy(transport);
    const text = "w".repeat(300_000);
    const big = await post(`${api}/mesh?actor=read`, { payload: { text } });
    const small = await post(`${api}/mesh?actor=read`, { payload: { text: "hi" } });
    expect([big.status, small.status]).toEqual([201, 201]);
    const bigId = big.body?.id as string;
    const smallId = small.body?.id as string;
    await until(
      () => spy.history(bigId).length > 0 && spy.history(smallId).length > 0,
      5_000,
      "both published",
    );
    const claimed = spy.history(bigId)[0]?.envelope;
    expect(claimed?.payload).toBeNull();
    expect(claimed?.headers?.[HEADER_CLAIM]).toMatchObject({ uri: expect.stringMatching(/^file:\/\//) });
    expect(claimed && (await claimCheck.resolve(claimed)).payload).toEqual({ text });
    expect(spy.history(smallId)[0]?.envelope?.payload).toEqual({ text: "hi" });
  });

  it("a store that does not answer is 503 and the task is stored failed; a payload that cannot be JSON is 400", async () => {
    const down = createFileClaimStore({ dir: "/nonexistent" });
    const claimCheck = createClaimCheck({
      store: {
        ...down,
        put: async () => {
          throw new ClaimCheckError("the store did not answer", { code: "UNAVAILABLE" });
        },
      },
    });
    const transport = createMemoryTransport({ maxMessageBytes: 64 * 1024 });
    onCleanup(() => transport.close());
    const { api } = await startGateway({ transport, claimCheck });
    const created = await post(`${api}/mesh?actor=read`, { payload: { text: "w".repeat(300_000) } });
    expect(created.status).toBe(503);
    const list = (await (await fetch(`${api}/mesh?status=failed`)).json()) as { tasks?: unknown[] };
    expect(JSON.stringify(list)).toMatch(/could not store the payload/);
    const bad = await post(`${api}/mesh?actor=read`, '{"payload":{"__proto__":{"x":1}}}');
    expect(bad.status).toBe(400);
  });

  it("without a store, a task too large for the transport is refused 503 and stored failed", async () => {
    const transport = createMemoryTransport({ maxMessageBytes: 64 * 1024 });
    onCleanup(() => transport.close());
    const { api } = await startGateway({ transport });
    const created = await post(`${api}/mesh?actor=read`, { payload: { text: "w".repeat(300_000) } });
    expect(created.status).toBe(503);
  });
});
