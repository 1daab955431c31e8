import { parseEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { ActorProcess, FIXTURES_DIR } from "./harness/actor-process.js";
import { corpusBytes, corpusKinds, digestOf, generateFuzzCorpus } from "./harness/fuzz-corpus.js";
import { createPrng } from "./harness/prng.js";
import { cpuSecondsOf, startCpuMeter } from "./harness/proc-stats.js";
import { SinkCollector } from "./harness/sink-collector.js";
import { sqsWireBody } from "./harness/sqs-wire.js";

const encoder = new TextEncoder();

describe("prng", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const c = createPrng(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const value of seqA) expect(value).toBeGreaterThanOrEqual(0);
    for (const value of seqA) expect(value).toBeLessThan(1);
  });
});

describe("fuzz corpus", () => {
  const CORPUS_OPTIONS = { count: 2_000, seed: 7, actor: "a", oversizedBytes: 10 * 1024 * 1024 + 1 } as const;
  const corpus = generateFuzzCorpus(CORPUS_OPTIONS);

  it("has the requested number of distinct bodies of every kind", () => {
    expect(corpus).toHaveLength(2_000);
    expect(new Set(corpus.map((body) => body.digest)).size).toBe(2_000);
    expect(Object.keys(corpusKinds(corpus)).sort()).toEqual([
      "deep-nesting",
      "forbidden-key",
      "huge-string",
      "invalid-utf8",
      "not-an-envelope",
      "oversized",
      "random-bytes",
      "truncated-json",
      "wrong-types",
    ]);
    expect(corpus.filter((body) => body.kind === "oversized")[0]?.bytes.byteLength).toBe(
      10 * 1024 * 1024 + 1,
    );
    expect(corpusBytes(corpus)).toBeLessThan(20 * 1024 * 1024);
  });

  it("is reproducible from its seed", () => {
    const again = generateFuzzCorpus(CORPUS_OPTIONS);
    expect(again.map((body) => body.digest)).toEqual(corpus.map((body) => body.digest));
  });

  it("contains no body the envelope parser accepts", () => {
    const accepted = corpus.filter((body) => {
      try {
        parseEnvelope(body.bytes);
        return true;
      } catch {
        return false;
      }
    });
    expect(
      accepted.map((body) => `${body.kind}: ${new TextDecoder().decode(body.bytes.slice(0, 200))}`),
    ).toEqual([]);
  });
});

describe("sqsWireBody", () => {
  it("sends UTF-8 text as is, other bytes as marked base64, empty as '-'", () => {
    expect(sqsWireBody(encoder.encode('{"a":1}'))).toEqual({ body: '{"a":1}', attributes: {} });
    const binary = sqsWireBody(new Uint8Array([0xff, 0x00, 0x01]));
    expect(binary.body).toBe(Buffer.from([0xff, 0x00, 0x01]).toString("base64"));
    expect(binary.attributes["x-asya-sqs-body-encoding"]?.StringValue).toBe("base64");
    expect(sqsWireBody(encoder.encode("a\u0000b")).attributes["x-asya-sqs-body-encoding"]?.StringValue).toBe(
      "base64",
    );
    expect(sqsWireBody(new Uint8Array(0)).attributes["x-asya-sqs-body-encoding"]?.StringValue).toBe("empty");
  });
});

describe("SinkCollector", () => {
  it("tallies delivered, duplicates, missing and unexpected ids", () => {
    const sink = new SinkCollector();
    const add = (id: string): void =>
      sink.add({
        body: encoder.encode(JSON.stringify({ id, status: { phase: "succeeded" } })),
        attributes: {},
      });
    add("a");
    add("b");
    add("b");
    add("b");
    add("zzz");
    sink.add({ body: new Uint8Array([0xff]), attributes: {} });
    expect(sink.tally(["a", "b", "c"])).toEqual({
      expected: 3,
      delivered: 2,
      duplicates: 2,
      missing: ["c"],
      unexpected: ["zzz"],
    });
    expect(sink.records).toHaveLength(6);
    expect(sink.records[5]?.envelope).toBeUndefined();
    expect(sink.countOf(new Set(["a", "c"]))).toBe(1);
  });

  it("waitUntil resolves false when the condition never holds", async () => {
    const sink = new SinkCollector();
    await expect(sink.waitUntil(() => false, 150)).resolves.toBe(false);
    await expect(sink.waitUntil(() => true, 150)).resolves.toBe(true);
  });
});

describe("ActorProcess", () => {
  it("starts, is SIGKILLed, restarts and stops gracefully with exit code 0", async () => {
    const stub = new ActorProcess({
      label: "stub",
      env: { STUB_LABEL: "one" },
      command: { file: process.execPath, args: [`${FIXTURES_DIR}/stub-process.js`] },
    });
    await stub.start();
    const firstPid = stub.pid;
    expect(stub.running).toBe(true);
    await expect(stub.kill()).resolves.toEqual({ code: null, signal: "SIGKILL" });
    expect(stub.running).toBe(false);
    // The output holds every incarnation: the second one is up when one more "up" arrived.
    const ups = () => stub.tail().split("stub one up").length - 1;
    const upsBefore = ups();
    await stub.start();
    expect(stub.pid).not.toBe(firstPid);
    expect(stub.starts).toBe(2);
    await expect.poll(ups, { timeout: 5_000 }).toBe(upsBefore + 1);
    await expect(stub.stop(5_000)).resolves.toEqual({ code: 0, signal: null });
    expect(stub.tail()).toContain("stub draining");
    expect(stub.exits).toHaveLength(2);
  });
});

describe("proc stats", () => {
  it("reads this process's CPU time and measures a busy loop", () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 22 + 12345)).toBeUndefined();
    const meter = startCpuMeter(process.pid);
    const until = Date.now() + 300;
    let spins = 0;
    while (Date.now() < until) spins += digestOf(new Uint8Array([spins & 0xff])).length;
    const { coreShare, wallSec } = meter.stop();
    expect(wallSec).toBeGreaterThanOrEqual(0.3);
    // The machine is shared with parallel tests: only require that the loop registered.
    expect(coreShare).toBeGreaterThan(0.02);
  });
});
