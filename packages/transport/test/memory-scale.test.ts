import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createMemoryTransport, publishAll } from "@asya/transport";
import { describe, expect, it } from "vitest";

// Expose V8's gc() even when node runs without --expose-gc, so heap figures are exact.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as (() => void) | undefined;

function heapUsed(): number {
  gc?.();
  gc?.();
  // Small bodies live on the heap, large ones off it: count both.
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

function* messages(count: number, bytes: number) {
  const body = new Uint8Array(bytes).fill(0x61);
  for (let i = 0; i < count; i++) yield { body };
}

describe("memory transport at scale", () => {
  it("moves 1,000,000 messages without memory growth beyond the queued data", async () => {
    const total = 1_000_000;
    const bodyBytes = 64;
    const transport = createMemoryTransport();
    const queue = "asya-scale";
    // Warm up code paths so JIT and first-chunk allocations are not counted as growth.
    await publishAll(transport, queue, messages(10_000, bodyBytes), { batchSize: 1000 });
    let received = 0;
    const subscription = await transport.consume(
      queue,
      () => {
        received++;
        return { kind: "ack" };
      },
      { concurrency: 32 },
    );
    await waitUntil(() => received === 10_000);
    const before = heapUsed();

    // Phase 1: queue everything (no consumer) -> memory must be proportional to the queued data.
    await subscription.stop();
    const started = performance.now();
    await publishAll(transport, queue, messages(total, bodyBytes), { batchSize: 1000 });
    expect(await transport.depth(queue)).toBe(total);
    const queued = heapUsed() - before;

    // Phase 2: drain everything -> memory must return to the baseline.
    const drain = await transport.consume(
      queue,
      () => {
        received++;
        return { kind: "ack" };
      },
      { concurrency: 32 },
    );
    await waitUntil(() => received === 10_000 + total);
    const elapsedMs = performance.now() - started;
    await drain.stop();
    expect(await transport.depth(queue)).toBe(0);
    const after = heapUsed() - before;
    await transport.close();

    const perMessage = queued / total;
    console.log(
      `1M: ${Math.round(elapsedMs)} ms, ${Math.round((total / elapsedMs) * 1000)} msg/s, ` +
        `queued ${(queued / 2 ** 20).toFixed(1)} MiB (${perMessage.toFixed(0)} B/msg), ` +
        `after drain ${(after / 2 ** 20).toFixed(1)} MiB, gc ${gc === undefined ? "unavailable" : "forced"}`,
    );
    // Queued data: 64-byte body + a 4-field record + a queue slot, ~150 B; far above means a leak.
    expect(perMessage).toBeLessThan(250);
    // Drained: back to the baseline within a few MiB (GC noise, the spare queue chunk).
    expect(after).toBeLessThan(gc === undefined ? 64 * 2 ** 20 : 8 * 2 ** 20);
  }, 60_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
