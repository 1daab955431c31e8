import { createMemoryTransport, type Disposition } from "@asya/transport";
import { eventually } from "@asya/transport/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("memory transport invariants", () => {
  it("every message ends exactly once as acked or dead-lettered, whatever the dispositions", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Per message: the dispositions of its successive deliveries (the last one is terminal).
        fc.array(
          fc.tuple(
            fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 })), { maxLength: 3 }),
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (plans, concurrency) => {
          const transport = createMemoryTransport({ visibilityTimeoutMs: 1000 });
          const deliveries = new Map<string, number[]>();
          const acked: string[] = [];
          const dead: string[] = [];
          await transport.consume(
            "q",
            (message): Disposition => {
              const key = text(message.body);
              const counts = deliveries.get(key) ?? [];
              counts.push(message.deliveryCount!);
              deliveries.set(key, counts);
              const [retries, toDlq] = plans[Number(key)]!;
              const attempt = counts.length - 1;
              if (attempt < retries.length) return { kind: "retry", delayMs: retries[attempt]! };
              if (toDlq) return { kind: "deadLetter", reason: `r${key}` };
              acked.push(key);
              return { kind: "ack" };
            },
            { concurrency },
          );
          await transport.consume("q-dlq", (message) => {
            expect(message.attributes["x-asya-dead-letter-reason"]).toBe(`r${text(message.body)}`);
            dead.push(text(message.body));
            return { kind: "ack" };
          });
          await transport.publishBatch(
            "q",
            plans.map((_, i) => ({ body: new TextEncoder().encode(String(i)) })),
          );
          await eventually(
            () => acked.length + dead.length === plans.length,
            5000,
            () => `settled ${acked.length + dead.length} of ${plans.length}`,
          );
          expect(await transport.depth("q")).toBe(0);
          expect(await transport.depth("q-dlq")).toBe(0);
          expect([...acked, ...dead].sort()).toEqual(plans.map((_, i) => String(i)).sort());
          expect(dead.sort()).toEqual(plans.flatMap(([, toDlq], i) => (toDlq ? [String(i)] : [])).sort());
          for (const [key, counts] of deliveries) {
            expect(counts).toEqual(counts.map((_, i) => i + 1));
            expect(counts).toHaveLength(plans[Number(key)]![0].length + 1);
          }
          await transport.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});
