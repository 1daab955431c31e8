// Pipelines on the in-process memory transport, shared by runtime-memory and shapes:
// - ours: N actors of @asya/runtime (createActor) chained by the envelope route;
// - baseline: the bare memory transport moving the same bytes through the same number of queues.
// Both end at a counting consumer on the sink queue, and both stamp per-stage times so hop
// latency can be measured the same way.

import { createEnvelope, encodeEnvelope, queueName, SINK_ACTOR } from "@asya/envelope";
import { createActor, createJsonLogger } from "@asya/runtime";

import { createMemoryBroker, createMemoryTransport } from "@asya/transport";
import { forwardJson } from "./pipe.js";

// createActor's defaults as users get them: metrics on, the JSON logger at level info (lines
// dropped here instead of written to stderr, so the bench output stays readable).
const defaultLevelLogger = createJsonLogger({ write: () => undefined });

const ACK = Object.freeze({ kind: "ack" });
const decoder = new TextDecoder();
const encoder = new TextEncoder();
let runCounter = 0;

/** A JSON payload of about `bytes` bytes (nested records, not one big string). */
export function payloadOf(bytes) {
  const items = [];
  const payload = { text: "Hello world", items };
  let i = 0;
  while (JSON.stringify(payload).length < bytes - 60) {
    items.push({ id: i, name: `item-${i}`, score: ((i * 7919) % 1000) / 1000, ok: i % 2 === 0 });
    i += 1;
  }
  payload.note = "x".repeat(Math.max(0, bytes - JSON.stringify(payload).length - 10));
  return payload;
}

/**
 * Builds a pipeline of `length` stages. kind "ours" = runtime actors, "baseline" = raw consumers
 * moving the bytes unchanged, "json" = raw consumers that JSON-decode, advance the route, re-encode.
 * Returns { inputQueue, body, stamps, feed(count, window), latency(count), heapSample(), close() }.
 */
export async function createPipeline(
  kind,
  { length = 3, payloadBytes = 200, concurrency = 16, body: fixedBody } = {},
) {
  runCounter += 1;
  const broker = createMemoryBroker();
  const transport = createMemoryTransport({ broker });
  const names = Array.from({ length }, (_, i) => `s${runCounter}-${i}`);
  const sinkQueue = kind === "ours" ? queueName(SINK_ACTOR) : `asya-bench-sink-${runCounter}`;
  const stageQueues = kind === "ours" ? names.map((n) => queueName(n)) : names.map((n) => `asya-bench-${n}`);
  const stamps = new Float64Array(length + 1);
  const body =
    fixedBody ??
    encodeEnvelope(
      createEnvelope({
        id: "0b6f5e1c-3a8e-4d2b-9b1f-2f8e7c1d4a90",
        route: { prev: [], curr: names[0], next: names.slice(1) },
        payload: payloadOf(payloadBytes),
      }),
    );
  const actors = [];
  const subscriptions = [];
  if (kind === "ours") {
    for (let i = 0; i < length; i++) {
      const actor = createActor({
        name: names[i],
        transport,
        concurrency,
        logger: defaultLevelLogger,
        handler: (payload) => {
          stamps[i] = performance.now();
          return payload;
        },
      });
      await actor.start();
      actors.push(actor);
    }
  } else {
    for (let i = 0; i < length; i++) {
      await transport.ensureQueue(stageQueues[i]);
      const next = i + 1 < length ? stageQueues[i + 1] : sinkQueue;
      subscriptions.push(
        await transport.consume(
          stageQueues[i],
          async (message) => {
            stamps[i] = performance.now();
            if (kind === "json") {
              // What a hand-written service minimally does: decode, advance the route, encode.
              await transport.publish(next, {
                body: encoder.encode(forwardJson(decoder.decode(message.body))),
              });
            } else {
              await transport.publish(next, { body: message.body });
            }
            return ACK;
          },
          { concurrency },
        ),
      );
    }
  }
  await transport.ensureQueue(sinkQueue);
  let done = 0;
  let gate;
  subscriptions.push(
    await transport.consume(
      sinkQueue,
      () => {
        stamps[length] = performance.now();
        done += 1;
        if (gate !== undefined && done >= gate.target) {
          const { resolve } = gate;
          gate = undefined;
          resolve();
        }
        return ACK;
      },
      { concurrency: 64 },
    ),
  );
  const reach = (target) =>
    done >= target ? Promise.resolve() : new Promise((resolve) => (gate = { target, resolve }));

  return {
    body,
    stamps,
    get done() {
      return done;
    },
    /** Pushes `count` envelopes keeping at most `window` in the pipeline; resolves when all reached the sink. */
    async feed(count, window = 2048, onProgress) {
      const chunk = Math.min(256, window);
      const messages = Array.from({ length: chunk }, () => ({ body }));
      const base = done;
      let sent = 0;
      let nextReport = onProgress ? onProgress.every : Number.POSITIVE_INFINITY;
      while (sent < count) {
        const n = Math.min(chunk, count - sent);
        await reach(base + sent + n - window);
        await transport.publishBatch(stageQueues[0], n === chunk ? messages : messages.slice(0, n));
        sent += n;
        if (sent >= nextReport) {
          await onProgress.fn(sent);
          nextReport += onProgress.every;
        }
      }
      await reach(base + count);
    },
    /** Sends `count` envelopes one at a time; returns per-hop and end-to-end latencies (ms). */
    async latency(count) {
      const hops = Array.from({ length }, () => new Float64Array(count));
      const e2e = new Float64Array(count);
      const message = { body };
      for (let k = 0; k < count; k++) {
        const target = done + 1;
        const start = performance.now();
        await transport.publish(stageQueues[0], message);
        await reach(target);
        for (let h = 0; h < length; h++) hops[h][k] = stamps[h + 1] - stamps[h];
        e2e[k] = stamps[length] - start;
      }
      return { hops, e2e };
    },
    async close() {
      for (const actor of actors) await actor.stop({ graceMs: 1000 });
      for (const sub of subscriptions) await sub.stop();
      await transport.close();
    },
  };
}
