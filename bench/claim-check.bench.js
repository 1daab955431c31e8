// Scenario 11: claim-check (GATEWAY.md section 7, issue 21) with moto_server's S3 as the store (moto
// started here on a free 127.0.0.1 port, stopped by PID at the end; its bucket and queues are deleted
// first).
//  - Time per hop for 1, 5 and 20 MiB payloads, one envelope in flight:
//    ours: one @asya/runtime actor with `claimCheck` (createS3ClaimStore on moto) whose route names
//      itself H+1 times: every hop is handler -> encodeForWire (the payload's JSON once, measured,
//      sha256, a conditional PutObject) -> publish the claim -> receive -> GetObject -> sha256 -> JSON.parse -> handler. The
//      handler bumps `payload.hop`, so every hop stores a new object.
//    baseline: the same by hand with the same S3 client settings and queue kind: JSON.stringify +
//      PutObject + publish a small reference, then receive + GetObject + JSON.parse; no sha256, no
//      conditional put, a random key.
//    Queue: the memory transport with maxMessageBytes = 1 MiB (default; SQS calls on moto are too noisy
//    here), or `--transport=sqs`: @asya/transport-sqs / a ReceiveMessage loop on moto's SQS.
//    Both alternate in one process (interleaved rounds); time per hop = (last handler call - first) / H,
//    with each hop's S3 and CPU parts timed inside it, and the CPU steps timed alone afterwards.
//  - Memory per in-flight MiB: N envelopes of X MiB held concurrently by one actor (a barrier in the
//    handler) on moto's SQS, each variant in a fresh Node process (so RSS means something): peak RSS,
//    live heap at the barrier and sampled peak heap, minus the process's figures before, per MiB.
// Needs `pnpm build` and moto_server on PATH. About 3 minutes on 2 shared cores.
//   node --expose-gc bench/claim-check.bench.js [--rounds=5] [--sizes=1,5,20] [--hops=N]
//     [--transport=memory|sqs] [--memory=8x5 (N x MiB, comma-separated; empty: skip)] [--quick]

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createClaimCheck, createS3ClaimStore } from "@asya/claim-check";
import {
  createEnvelope,
  encodeEnvelope,
  parseJsonValue,
  queueName,
  serializeJsonValue,
} from "@asya/envelope";
import { createActor, createJsonLogger } from "@asya/runtime";
import { createMemoryBroker, createMemoryTransport } from "@asya/transport";
import { createSqsTransport } from "@asya/transport-sqs";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import {
  callSummary,
  countingSqs,
  effectiveRounds,
  flag,
  fmtMiB,
  fmtMs,
  fmtNum,
  footer,
  heading,
  interleave,
  markdownTable,
  median,
  numberArg,
  peakRssOf,
  startMoto,
  stringArg,
} from "./lib/index.js";

const MiB = 1024 * 1024;
const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const PREFIX = "asya-claims";
const WAIT_SECONDS = 1;
/** SQS's message limit, also given to the memory transport (so both thresholds are 80% of it). */
const SQS_LIMIT = 1_048_576;
const ACK = Object.freeze({ kind: "ack" });
const encoder = new TextEncoder();
const decoder = new TextDecoder();
// createActor's defaults as users get them: metrics on, the JSON logger at level info (lines
// dropped here instead of written to stderr, so the bench output stays readable).
const defaultLevelLogger = createJsonLogger({ write: () => undefined });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A JSON payload of `bytes` bytes (give or take the digits of `hop`): nested records like the other
 * benches' payloadOf, built incrementally (payloadOf re-serializes per item: quadratic at 20 MiB).
 */
function payloadOfBytes(bytes, run = "0000000000000000") {
  const items = [];
  const payload = { run, hop: 0, text: "Hello world", items, note: "" };
  let length = JSON.stringify(payload).length;
  for (let i = 0; ; i++) {
    const item = { id: i, name: `item-${i}`, score: ((i * 7919) % 1000) / 1000, ok: i % 2 === 0 };
    const add = JSON.stringify(item).length + (i === 0 ? 0 : 1);
    if (length + add > bytes - 64) break;
    items.push(item);
    length += add;
  }
  payload.note = "x".repeat(bytes - length);
  return payload;
}

/** The S3 client settings createS3ClaimStore uses with an endpoint (path style, same timeouts). */
const s3ClientOf = (endpoint) =>
  new S3Client({
    region: REGION,
    endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });

/**
 * The claim-check of the runtime variant: the S3 store on moto, default threshold (80% of 1 MiB).
 * With `record`, the store's put / get and the claim-check's encodeForWire / resolve report their times
 * (thin pass-through wrappers; the runtime calls them as it calls the real ones).
 */
async function claimCheckOf(endpoint, bucket, record) {
  const s3Store = await createS3ClaimStore({
    bucket,
    prefix: PREFIX,
    endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  if (record === undefined) return createClaimCheck({ store: s3Store });
  const store = {
    ...s3Store,
    put: (...args) => record("put", () => s3Store.put(...args)),
    get: (...args) => record("get", () => s3Store.get(...args)),
  };
  const claimCheck = createClaimCheck({ store });
  return {
    ...claimCheck,
    offload: (envelope) => record("offload", () => claimCheck.offload(envelope)),
    // What the runtime's publisher calls: the payload's JSON once, then offload over the threshold.
    encodeForWire: (envelope, limits) => record("offload", () => claimCheck.encodeForWire(envelope, limits)),
    resolve: (envelope) => record("resolve", () => claimCheck.resolve(envelope)),
  };
}

/** The receiving side's parse of a stored payload (stringify it, then parse, scan and maybe walk). */
function assertSafeJsonWalk(payload) {
  return parseJsonValue(JSON.stringify(payload));
}

/** Records how long each `record(what, fn)` call takes, with its start; `within` sums a window. */
function recorder() {
  const calls = [];
  return {
    async record(what, fn) {
      const start = performance.now();
      try {
        return await fn();
      } finally {
        calls.push({ what, start, ms: performance.now() - start });
      }
    },
    /** Records a call timed by hand. */
    add(what, start) {
      calls.push({ what, start, ms: performance.now() - start });
    },
    /** Total ms per `what` of the calls that started in [from, to]. */
    within(from, to) {
      const sums = {};
      for (const call of calls) {
        if (call.start >= from && call.start <= to) sums[call.what] = (sums[call.what] ?? 0) + call.ms;
      }
      return sums;
    },
    clear() {
      calls.length = 0;
    },
  };
}

/** An object's body read the way the S3 claim store reads it: one buffer of ContentLength, chunks copied in. */
async function readBody(out) {
  const body = Buffer.allocUnsafe(out.ContentLength ?? 0);
  let offset = 0;
  for await (const chunk of out.Body) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return offset === body.byteLength ? body : body.subarray(0, offset);
}

/** The baseline's PutObject of a payload's JSON bytes (plain: random keys, no condition). */
function putJsonObject(s3, bucket, Key, body) {
  return s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key,
      Body: body,
      ContentLength: body.byteLength,
      ContentType: "application/json",
    }),
  );
}

/** An SQS client on `endpoint` that counts its calls (bench/lib/sqs-calls.js). */
const countingSqsAt = (endpoint) => countingSqs({ endpoint, region: REGION, credentials: CREDENTIALS });

/** Waits until `queueUrl` holds `count` visible messages. */
async function whenQueued(sqs, queueUrl, count, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    const n = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    if (n >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${n}/${count} messages reached ${queueUrl}`);
    await sleep(20);
  }
}

/** A promise released once `count` parties wait on it. */
function barrier(count) {
  let arrived = 0;
  let release;
  const all = new Promise((resolve) => (release = resolve));
  return {
    /** Resolves when everyone arrived; `onAll` runs once, synchronously, when the last one does. */
    wait(onAll) {
      arrived += 1;
      if (arrived === count) {
        onAll?.();
        release();
      }
      return all;
    },
  };
}

/** Samples process.memoryUsage() every `everyMs` (a lower bound: no sample runs inside a long JSON call). */
function memorySampler(everyMs = 5) {
  const peak = { rss: 0, heapUsed: 0, heapAndExternal: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.heapAndExternal = Math.max(peak.heapAndExternal, m.heapUsed + m.external);
  };
  const timer = setInterval(sample, everyMs);
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Memory child: `--memory-child=runtime|baseline`, started by the parent in a fresh process. The
// parent has stored the inputs and queued them; the child warms up on one small envelope, measures
// its baseline, then takes all N inputs concurrently, holds them at a barrier, and forwards them.
// Prints one JSON line.

async function memoryChild(kind) {
  const endpoint = stringArg("endpoint");
  const bucket = stringArg("bucket");
  const count = numberArg("count", 8);
  const { sqs } = countingSqsAt(endpoint);
  const urlOf = async (name) => (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  const inUrl = await urlOf(stringArg("in-queue"));
  const outUrl = await urlOf(stringArg("out-queue"));
  const warmUrl = await urlOf(stringArg("warm-queue"));
  const warmOutUrl = await urlOf(stringArg("warm-out-queue"));
  let live;
  const gate = barrier(count);
  const atBarrier = () => {
    globalThis.gc?.();
    live = process.memoryUsage();
  };
  let run;
  let after = async () => undefined;
  if (kind === "runtime") {
    const claimCheck = await claimCheckOf(endpoint, bucket);
    const transport = createSqsTransport({ client: sqs, waitTimeSeconds: WAIT_SECONDS, batchSize: 10 });
    const actorOf = (name, concurrency, held) =>
      createActor({
        name,
        transport,
        concurrency,
        logger: defaultLevelLogger,
        claimCheck,
        handler: async (p) => {
          if (held) await gate.wait(atBarrier);
          p.hop += 1;
          return p;
        },
      });
    const warm = actorOf(stringArg("warm-actor"), 1, false);
    await warm.start();
    await whenQueued(sqs, warmOutUrl, 1);
    await warm.stop({ graceMs: 5_000 });
    const actor = actorOf(stringArg("actor"), count, true);
    run = async () => {
      await actor.start();
      await whenQueued(sqs, outUrl, count);
    };
    after = () => actor.stop({ graceMs: 5_000 });
  } else {
    const s3 = s3ClientOf(endpoint);
    const forward = async (m, toUrl, held) => {
      const ref = JSON.parse(m.Body);
      const payload = JSON.parse((await readBody(await s3.send(new GetObjectCommand(ref)))).toString("utf8"));
      if (held) await gate.wait(atBarrier);
      payload.hop += 1;
      const body = Buffer.from(JSON.stringify(payload), "utf8");
      const Key = `${PREFIX}/base-${randomBytes(8).toString("hex")}`;
      await putJsonObject(s3, bucket, Key, body);
      await sqs.send(
        new SendMessageCommand({ QueueUrl: toUrl, MessageBody: JSON.stringify({ Bucket: bucket, Key }) }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: m.QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    };
    const take = async (fromUrl, toUrl, n, held) => {
      const work = [];
      while (work.length < n) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: fromUrl,
            MaxNumberOfMessages: Math.min(10, n - work.length),
            WaitTimeSeconds: WAIT_SECONDS,
            VisibilityTimeout: 60,
          }),
        );
        for (const m of Messages) work.push(forward({ ...m, QueueUrl: fromUrl }, toUrl, held));
      }
      await Promise.all(work);
    };
    await take(warmUrl, warmOutUrl, 1, false);
    run = () => take(inUrl, outUrl, count, true);
  }
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  await sleep(100);
  const before = process.memoryUsage();
  const sampler = memorySampler();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const peak = sampler.stop();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await after();
  process.stdout.write(`${JSON.stringify({ before, live, peak, maxRss, ms })}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const quick = flag("quick");
  const TRANSPORT = stringArg("transport", "memory");
  if (TRANSPORT !== "sqs" && TRANSPORT !== "memory") throw new Error("--transport must be sqs or memory");
  /** Interleaved rounds per size: more where a round is cheap (1 MiB), since single hops are noisy here. */
  const roundsOf = (mib) => numberArg("rounds", mib <= 1 ? 9 : 5);
  const SIZES = stringArg("sizes", quick ? "1,5" : "1,5,20")
    .split(",")
    .map(Number);
  /** Hops per run: enough for a stable mean, few at 20 MiB to keep the scenario short. */
  const hopsOf = (mib) => numberArg("hops", mib <= 1 ? 8 : mib <= 5 ? 4 : 2);
  const MEMORY = stringArg("memory", "8x5")
    .split(",")
    .filter((spec) => spec !== "")
    .map((spec) => {
      const [n, mib] = spec.split("x").map(Number);
      if (!(n >= 1 && n <= 10 && mib > 0))
        throw new Error(`--memory wants NxMIB with N in 1..10, got ${spec}`);
      return { n, mib };
    });

  const moto = await startMoto();
  const bucket = `asya-bench-${randomBytes(4).toString("hex")}`;
  const s3 = s3ClientOf(moto.endpoint);
  const { sqs: adminSqs } = countingSqsAt(moto.endpoint);
  const admin = createSqsTransport({ client: adminSqs, autoCreate: true });
  try {
    heading(
      "Scenario 11 — claim-check on moto's S3: runtime vs a hand-written S3 put + get + queue loop",
      `Time per hop, one envelope in flight, payloads of ${SIZES.join(", ")} MiB (the payload's JSON; nested records ` +
        "like the other scenarios' payloads, plus a filler string). **Ours:** one `createActor` " +
        "with `claimCheck: createClaimCheck({ store: createS3ClaimStore(...) })` " +
        "(default threshold: 80% of SQS's 1 MiB), whose route names it H+1 times; the handler bumps " +
        "`payload.hop`, so each hop encodes the output, claim-checks it (JSON of the payload, sha256, " +
        "a conditional PutObject), publishes the claim, receives it, GetObject, checks size and sha256 " +
        "and parses before the next call. **Baseline:** a hand-written loop on the same moto, the same S3 " +
        "client settings (path style, same timeouts) and the same kind of queue: " +
        "JSON.stringify + PutObject + publish a small `{Bucket, Key}`, then receive + " +
        "GetObject (read the same way) + JSON.parse and the same `hop` bump; it computes **no sha256** " +
        "(random keys, plain PutObject). Time per hop = (last handler call - first) / H. " +
        (TRANSPORT === "memory"
          ? "**Queue: the in-process memory transport with `maxMessageBytes` = 1 MiB** (SQS's limit, so the " +
            "threshold is the same 80%), for both variants: on this shared 2-core machine each moto SQS call " +
            "takes 10-60 ms, and the SQS transport frees its handler slot only once the ack's " +
            "DeleteMessageBatch is confirmed (one more round trip per hop with one envelope in flight), " +
            "which buried the claim-check costs in SQS noise and adapter cost; the S3 store is moto's in both. " +
            "`--transport=sqs` runs the same on moto's SQS (long polling, one message in flight). "
          : `**Queue: SQS on the same moto** (\`@asya/transport-sqs\`, long polling ${WAIT_SECONDS} s; the ` +
            "baseline's loop: ReceiveMessage(1) -> GetObject -> parse -> PutObject -> SendMessage, its " +
            "DeleteMessage not waited for). Not the same on one point: the SQS transport frees its handler " +
            "slot only once the ack's DeleteMessageBatch (5 ms window) is confirmed, so with one envelope in " +
            "flight its next ReceiveMessage waits for that round trip; a hand-written loop need not. ") +
        `moto_server (pid ${moto.pid}) runs on this machine, on the same 2 cores; the memory figures use ` +
        "its SQS whatever the transport of the time table.",
    );
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const claimCheck = await claimCheckOf(moto.endpoint, bucket);
    const timings = recorder();
    const timedClaimCheck = await claimCheckOf(moto.endpoint, bucket, timings.record);
    const baseTimings = recorder();
    const urlOf = async (name) => (await adminSqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    const freshQueue = async (name) => {
      await admin.ensureQueue(name);
      return urlOf(name);
    };
    const emptyBucket = async () => {
      for (;;) {
        const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
        if (Contents.length === 0) return;
        await s3.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: Contents.map(({ Key }) => ({ Key })), Quiet: true },
          }),
        );
      }
    };
    const check = (p, run, hop, items) => {
      if (p.run !== run || p.hop !== hop || p.items.length !== items) {
        throw new Error(
          `hop ${hop}: payload not intact (run ${p.run}, hop ${p.hop}, ${p.items?.length} items)`,
        );
      }
    };

    // ----- time per hop -------------------------------------------------------------------------
    const templates = new Map(SIZES.map((mib) => [mib, payloadOfBytes(mib * MiB)]));

    /** A fresh memory transport with SQS's limit, and a promise for the first message on `endQueue`. */
    async function memoryQueues(endQueue) {
      const transport = createMemoryTransport({ broker: createMemoryBroker(), maxMessageBytes: SQS_LIMIT });
      await transport.ensureQueue(endQueue);
      let arrived;
      const ended = new Promise((resolve) => (arrived = resolve));
      const sink = await transport.consume(endQueue, () => {
        arrived();
        return ACK;
      });
      return { transport, ended, stop: () => sink.stop() };
    }

    async function runRuntime(mib, hops) {
      const template = templates.get(mib);
      const tag = randomBytes(4).toString("hex");
      const name = `cc-${tag}`;
      const end = `cc-${tag}-end`;
      const seed = createEnvelope({
        id: `env-${tag}`,
        route: { prev: [], curr: name, next: [...Array(hops).fill(name), end] },
        payload: { ...template, run: tag },
      });
      const seedBody = encodeEnvelope(await claimCheck.offload(seed));
      let transport;
      let ended;
      let cleanup = async () => undefined;
      let calls = {};
      if (TRANSPORT === "sqs") {
        await freshQueue(queueName(name));
        const endUrl = await freshQueue(queueName(end));
        await admin.publish(queueName(name), { body: seedBody });
        const counted = countingSqsAt(moto.endpoint);
        calls = counted.calls;
        transport = createSqsTransport({ client: counted.sqs, waitTimeSeconds: WAIT_SECONDS, batchSize: 10 });
        ended = () => whenQueued(adminSqs, endUrl, 1);
        cleanup = async () => counted.sqs.destroy();
      } else {
        const queues = await memoryQueues(queueName(end));
        transport = queues.transport;
        await transport.ensureQueue(queueName(name));
        await transport.publish(queueName(name), { body: seedBody });
        ended = () => queues.ended;
        cleanup = queues.stop;
      }
      const stamps = [];
      const actor = createActor({
        name,
        transport,
        concurrency: 1,
        logger: defaultLevelLogger,
        claimCheck: timedClaimCheck,
        handler: (p) => {
          stamps.push(performance.now());
          check(p, tag, stamps.length - 1, template.items.length);
          p.hop += 1;
          return p;
        },
      });
      timings.clear();
      await actor.start();
      await ended();
      await actor.stop({ graceMs: 5_000 });
      await cleanup();
      await transport.close();
      if (stamps.length !== hops + 1)
        throw new Error(`runtime: ${stamps.length} handler calls, expected ${hops + 1}`);
      await emptyBucket();
      const value = (stamps[hops] - stamps[0]) / hops;
      // Offloads 0..H-1 start after their handler call, resolves 1..H before theirs: all in the window.
      const t = timings.within(stamps[0], stamps[hops]);
      const perHop = (ms) => (ms ?? 0) / hops;
      const parts = {
        put: perHop(t.put),
        get: perHop(t.get),
        sendCpu: perHop(t.offload - t.put),
        receiveCpu: perHop(t.resolve - t.get),
        rest: value - perHop(t.offload) - perHop(t.resolve),
      };
      return { value, calls: callSummary(calls, hops, 1), parts };
    }

    /** The sending half of a baseline hop: the payload's JSON to S3 under a fresh key, a reference on the queue. */
    const sendByHand = async (payload, publish) => {
      let start = performance.now();
      const body = Buffer.from(JSON.stringify(payload), "utf8");
      baseTimings.add("serialize", start);
      const Key = `${PREFIX}/base-${randomBytes(8).toString("hex")}`;
      start = performance.now();
      await putJsonObject(s3, bucket, Key, body);
      baseTimings.add("put", start);
      await publish(JSON.stringify({ Bucket: bucket, Key }));
    };
    /** The receiving half: GetObject of the reference, read like the claim store does, JSON.parse. */
    const fetchByHand = async (refText) => {
      const ref = JSON.parse(refText);
      let start = performance.now();
      const body = await readBody(await s3.send(new GetObjectCommand({ Bucket: ref.Bucket, Key: ref.Key })));
      baseTimings.add("get", start);
      start = performance.now();
      const payload = JSON.parse(body.toString("utf8"));
      baseTimings.add("parse", start);
      return payload;
    };
    /** The baseline's parts of a hop, like the runtime's. */
    const baselineParts = (stamps, hops) => {
      const value = (stamps[hops] - stamps[0]) / hops;
      const t = baseTimings.within(stamps[0], stamps[hops]);
      const perHop = (ms) => (ms ?? 0) / hops;
      const parts = {
        put: perHop(t.put),
        get: perHop(t.get),
        sendCpu: perHop(t.serialize),
        receiveCpu: perHop(t.parse),
      };
      parts.rest = value - parts.put - parts.get - parts.sendCpu - parts.receiveCpu;
      return { value, parts };
    };

    async function runBaseline(mib, hops) {
      const template = templates.get(mib);
      const tag = randomBytes(4).toString("hex");
      const stamps = [];
      const onPayload = (payload) => {
        stamps.push(performance.now());
        check(payload, tag, stamps.length - 1, template.items.length);
        payload.hop += 1;
        return stamps.length <= hops;
      };
      if (TRANSPORT === "memory") {
        // The same consume -> handler -> publish -> ack shape as the runtime, by hand.
        const queue = `asya-bench-bl-${tag}`;
        const queues = await memoryQueues(`${queue}-end`);
        const { transport } = queues;
        await transport.ensureQueue(queue);
        const publish = (text) => transport.publish(queue, { body: encoder.encode(text) });
        await sendByHand({ ...template, run: tag }, publish);
        baseTimings.clear();
        const sub = await transport.consume(queue, async (message) => {
          const payload = await fetchByHand(decoder.decode(message.body));
          if (onPayload(payload)) await sendByHand(payload, publish);
          else await transport.publish(`${queue}-end`, { body: encoder.encode("{}") });
          return ACK;
        });
        await queues.ended;
        await sub.stop();
        await queues.stop();
        await transport.close();
        await emptyBucket();
        return { ...baselineParts(stamps, hops), calls: "" };
      }
      const queueUrl = await freshQueue(queueName(`bl-${tag}`));
      const { sqs, calls } = countingSqsAt(moto.endpoint);
      const publish = (MessageBody) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody }));
      await sendByHand({ ...template, run: tag }, publish);
      for (const key of Object.keys(calls)) calls[key] = 0;
      baseTimings.clear();
      const deletes = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: WAIT_SECONDS,
            VisibilityTimeout: 30,
            MessageAttributeNames: ["All"],
          }),
        );
        const [m] = Messages;
        if (m === undefined) continue;
        const payload = await fetchByHand(m.Body);
        // The delete is not waited for (the runtime's ack goes out in the background too).
        deletes.push(
          sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle })),
        );
        if (!onPayload(payload)) break;
        await sendByHand(payload, publish);
      }
      await Promise.all(deletes);
      sqs.destroy();
      await emptyBucket();
      return { ...baselineParts(stamps, hops), calls: callSummary(calls, hops, 1) };
    }

    const perSize = new Map();
    for (const mib of SIZES) {
      const hops = hopsOf(mib);
      const results = await interleave(
        {
          runtime: () => runRuntime(mib, hops),
          baseline: () => runBaseline(mib, hops),
        },
        // The smaller sizes ran first and warmed both code paths: no warm-up round at 20 MiB.
        { rounds: roundsOf(mib), warmup: mib === SIZES[0] || mib < 20 ? 1 : 0, label: `cc-${mib}-` },
      );
      perSize.set(mib, { hops, results });
      process.stderr.write(
        `claim-check ${mib} MiB: runtime ${fmtMs(results.runtime.median)}, baseline ${fmtMs(results.baseline.median)}\n`,
      );
    }
    const partOf = (result, key) => median(result.extras.map((extra) => extra.parts[key]));

    console.log(
      `#### Time per hop (one envelope in flight; median of ${SIZES.map((mib) => `${effectiveRounds(roundsOf(mib))} (${mib} MiB)`).join(" / ")} interleaved rounds, after 1 warm-up round below 20 MiB)\n`,
    );
    console.log(
      markdownTable(
        [
          { title: "payload" },
          { title: "hops per run" },
          { title: "runtime per hop" },
          { title: "baseline per hop" },
          { title: "runtime / baseline (time)" },
          { title: "**baseline / runtime** (target >= 0.8)" },
          { title: "runtime rounds (ms)", align: "left" },
          { title: "baseline rounds (ms)", align: "left" },
          ...(TRANSPORT === "sqs"
            ? [{ title: "SQS calls per hop, runtime / baseline (last round)", align: "left" }]
            : []),
          { title: "peak RSS, runtime / baseline" },
        ],
        [...perSize].map(([mib, { hops, results }]) => {
          const r = results.runtime.median;
          const b = results.baseline.median;
          return [
            `${mib} MiB`,
            hops,
            fmtMs(r),
            fmtMs(b),
            fmtNum(r / b),
            `**${fmtNum(b / r)}**`,
            results.runtime.values.map((v) => v.toFixed(0)).join(", "),
            results.baseline.values.map((v) => v.toFixed(0)).join(", "),
            ...(TRANSPORT === "sqs"
              ? [`${results.runtime.extras.at(-1)?.calls} / ${results.baseline.extras.at(-1)?.calls}`]
              : []),
            `${fmtMiB(peakRssOf(`cc-${mib}-runtime`))} / ${fmtMiB(peakRssOf(`cc-${mib}-baseline`))}`,
          ];
        }),
      ),
    );
    console.log(
      "\nS3 calls per hop (from the code): runtime PutObject (If-None-Match: *) + GetObject, baseline PutObject + " +
        `GetObject.${TRANSPORT === "sqs" ? " The runtime's SQS figures include its DeleteMessageBatch acks (5 ms window) and GetQueueUrl lookups." : ""}\n`,
    );

    console.log(
      "#### Where a hop's time goes (timed inside the hops above; per hop, median of the rounds)\n",
    );
    console.log(
      markdownTable(
        [
          { title: "payload" },
          { title: "variant", align: "left" },
          { title: "hop" },
          { title: "S3 put (runtime: PutObject, If-None-Match)" },
          { title: "S3 get + read" },
          { title: "sending CPU (runtime: `encodeForWire` minus its put)" },
          { title: "receiving CPU (runtime: `resolve` minus its get)" },
          { title: "the rest" },
        ],
        [...perSize].flatMap(([mib, { results }]) =>
          ["runtime", "baseline"].map((name) => [
            `${mib} MiB`,
            name,
            fmtMs(results[name].median),
            fmtMs(partOf(results[name], "put")),
            fmtMs(partOf(results[name], "get")),
            fmtMs(partOf(results[name], "sendCpu")),
            fmtMs(partOf(results[name], "receiveCpu")),
            fmtMs(partOf(results[name], "rest")),
          ]),
        ),
      ),
    );
    console.log(
      "\nSending CPU: runtime = JSON.stringify of the payload + its safety scan + Buffer + sha256 + the " +
        "claim envelope's encode (in `encodeForWire`), baseline = JSON.stringify + Buffer. Receiving CPU: " +
        "runtime = size check + sha256 + TextDecoder (fatal) + JSON.parse + the safety check an inline " +
        "payload gets (in `resolve`), baseline = toString + JSON.parse. The rest: runtime = the claim envelope's decode, the " +
        `message path and the ${TRANSPORT === "sqs" ? "SQS send and receive (and the wait for the ack's delete before the next receive)" : "memory queue"}; baseline = the ` +
        `${TRANSPORT === "sqs" ? "SQS send and receive" : "queue"} and its reference JSON. The runtime's ` +
        "parts are timed by thin wrappers around its claim-check and store (same calls, plus a timestamp).\n",
    );

    // CPU steps alone, to split "the rest" and the sending / receiving CPU.
    /** Median time of `fn` over `reps` calls, after one warm-up call, with a GC before each. */
    const timeIt = (reps, fn) => {
      const times = [];
      for (let i = -1; i < reps; i++) {
        globalThis.gc?.();
        const start = performance.now();
        fn();
        if (i >= 0) times.push(performance.now() - start);
      }
      return median(times);
    };
    const cpuRows = SIZES.map((mib) => {
      const payload = { ...templates.get(mib), run: "breakdown", hop: 1 };
      const envelope = createEnvelope({
        id: "env-breakdown",
        route: { prev: ["a"], curr: "a", next: ["a", "end"] },
        payload,
      });
      const reps = mib >= 20 ? 3 : 5;
      const text = JSON.stringify(payload);
      const body = Buffer.from(text, "utf8");
      const strict = new TextDecoder("utf-8", { fatal: true });
      return [
        `${mib} MiB`,
        fmtMs(timeIt(reps, () => serializeJsonValue(envelope.payload))),
        fmtMs(timeIt(reps, () => assertSafeJsonWalk(payload))),
        fmtMs(timeIt(reps, () => JSON.stringify(payload))),
        fmtMs(timeIt(reps, () => Buffer.from(text, "utf8"))),
        fmtMs(timeIt(reps, () => createHash("sha256").update(body).digest("hex"))),
        fmtMs(timeIt(reps, () => JSON.parse(body.toString("utf8")))),
        fmtMs(timeIt(reps, () => JSON.parse(strict.decode(body)))),
      ];
    });
    console.log(
      "#### CPU steps alone (same process after the rounds; median of 3-5 after a warm-up, GC before each)\n",
    );
    console.log(
      markdownTable(
        [
          { title: "payload" },
          { title: "serializeJsonValue of the payload (runtime: stringify + safety scan)" },
          { title: "stringify + parseJsonValue (runtime's receiving check: parse, scan, walk if undecided)" },
          { title: "JSON.stringify payload" },
          { title: "Buffer.from (UTF-8)" },
          { title: "sha256 (runtime: twice a hop)" },
          { title: "JSON.parse (toString, baseline)" },
          { title: "JSON.parse (TextDecoder fatal, runtime)" },
        ],
        cpuRows,
      ),
    );
    console.log(
      "\n`serializeJsonValue`: the payload's JSON with the codec's bounded text scan for forbidden keys " +
        "and nesting; the runtime serializes the payload once and measures the envelope around it, so a " +
        "claim-checked output is never encoded whole. `stringify + parseJsonValue`: on receipt the stored " +
        "payload is checked as an inline one is; the scan's depth bound counts brackets, so a large " +
        "payload of many records is walked too (compare with stringify + JSON.parse of the columns " +
        "before; the walk is what the baseline does not pay). Both sides' S3 calls " +
        "also pay the SDK's own work on the body alike (SigV4 payload hash on the plain-http endpoint, " +
        "the CRC32 checksum).\n",
    );

    // ----- memory per in-flight MiB -------------------------------------------------------------
    const memoryRows = [];
    for (const { n, mib } of MEMORY) {
      for (const kind of ["runtime", "baseline"]) {
        const tag = randomBytes(4).toString("hex");
        const actor = `mem-${tag}`;
        const warmActor = `mem-${tag}-w`;
        const names = {
          in: queueName(actor),
          out: queueName(`${actor}-out`),
          warm: queueName(warmActor),
          warmOut: queueName(`${warmActor}-out`),
        };
        const urls = {};
        for (const [key, name] of Object.entries(names)) urls[key] = await freshQueue(name);
        const template = payloadOfBytes(mib * MiB);
        const warmPayload = payloadOfBytes(900 * 1024);
        const inputs = [
          {
            url: urls.warm,
            actor: warmActor,
            next: `${warmActor}-out`,
            payload: { ...warmPayload, run: `w${tag}` },
          },
          ...Array.from({ length: n }, (_, i) => ({
            url: urls.in,
            actor,
            next: `${actor}-out`,
            payload: { ...template, run: `${tag}-${i}` },
          })),
        ];
        for (const input of inputs) {
          if (kind === "runtime") {
            const envelope = createEnvelope({
              route: { prev: [], curr: input.actor, next: [input.next] },
              payload: input.payload,
            });
            const body = new TextDecoder().decode(encodeEnvelope(await claimCheck.offload(envelope)));
            await adminSqs.send(new SendMessageCommand({ QueueUrl: input.url, MessageBody: body }));
          } else {
            const body = Buffer.from(JSON.stringify(input.payload), "utf8");
            const Key = `${PREFIX}/base-in-${randomBytes(8).toString("hex")}`;
            await putJsonObject(s3, bucket, Key, body);
            await adminSqs.send(
              new SendMessageCommand({
                QueueUrl: input.url,
                MessageBody: JSON.stringify({ Bucket: bucket, Key }),
              }),
            );
          }
        }
        const child = spawn(
          process.execPath,
          [
            "--expose-gc",
            "--no-warnings",
            new URL(import.meta.url).pathname,
            `--memory-child=${kind}`,
            `--endpoint=${moto.endpoint}`,
            `--bucket=${bucket}`,
            `--count=${n}`,
            `--actor=${actor}`,
            `--warm-actor=${warmActor}`,
            `--in-queue=${names.in}`,
            `--out-queue=${names.out}`,
            `--warm-queue=${names.warm}`,
            `--warm-out-queue=${names.warmOut}`,
          ],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let output = "";
        child.stdout.on("data", (chunk) => {
          output += chunk;
        });
        const code = await new Promise((resolve) => child.on("close", (c) => resolve(c)));
        if (code !== 0) throw new Error(`memory child (${kind}) exited with ${code}`);
        const result = JSON.parse(output.trim().split("\n").at(-1));
        memoryRows.push({ kind, n, mib, ...result });
        await emptyBucket();
      }
    }
    if (memoryRows.length > 0) {
      console.log(
        "#### Memory per in-flight MiB (N envelopes of X MiB held at once by one actor; each variant in a fresh Node process)\n",
      );
      console.log(
        markdownTable(
          [
            { title: "variant", align: "left" },
            { title: "in flight" },
            { title: "RSS before" },
            { title: "peak RSS (maxRSS)" },
            { title: "**peak RSS per in-flight MiB**" },
            { title: "live JS heap at the barrier (heapUsed after GC), per MiB" },
            { title: "sampled peak heap+external, per MiB" },
            { title: "wall time (start to N forwarded)" },
          ],
          memoryRows.map((row) => {
            const inFlight = row.n * row.mib;
            const heapBefore = row.before.heapUsed + row.before.external;
            const per = (bytes) => fmtNum(bytes / MiB / inFlight);
            return [
              row.kind === "runtime" ? "@asya/runtime + claim-check (S3)" : "hand-written loop",
              `${row.n} x ${row.mib} MiB = ${inFlight} MiB`,
              fmtMiB(row.before.rss),
              fmtMiB(row.maxRss),
              `**${per(row.maxRss - row.before.rss)}**`,
              per(row.live.heapUsed - row.before.heapUsed),
              per(row.peak.heapAndExternal - heapBefore),
              fmtMs(row.ms),
            ];
          }),
        ),
      );
      console.log(
        "\nThe actor runs at concurrency N (its ReceiveMessage asks for all N); every handler waits at a barrier " +
          "until all N hold their payload, then each output is claim-checked to the next queue. The " +
          "hand-written loop receives the same N references at once, GetObject + JSON.parse each, waits " +
          "at the same barrier, then JSON.stringify + PutObject + SendMessage. The payloads are parsed " +
          "JSON of many small records, whose JS objects take more room than their JSON text; the peak " +
          "adds the buffers of the transfers and the strings of the (de)serialization around the barrier. " +
          "The live figure is the JS heap alone (external memory right after a GC still counts buffers " +
          "not yet swept, which varied from run to run); sampled peaks are lower bounds (no sample runs " +
          "inside one long JSON call); maxRSS is the kernel's high-water mark of the child process " +
          "(before = after the warm-up envelope and GC).",
      );
    }
    footer("RSS is sampled per variant inside one process for the time table");
  } finally {
    try {
      await admin.close();
      await deleteQueuesAndBucket(adminSqs, s3, bucket);
    } catch (error) {
      process.stderr.write(`cleanup on moto failed: ${error}\n`);
    }
    adminSqs.destroy();
    s3.destroy();
    await moto.stop();
  }
}

/** Deletes every queue of this private moto, then every object and the bucket. */
async function deleteQueuesAndBucket(sqs, s3, bucket) {
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  for (const QueueUrl of QueueUrls) await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  for (;;) {
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => ({}));
    if (Contents.length === 0) break;
    await s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: Contents.map(({ Key }) => ({ Key })) } }),
    );
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

const child = stringArg("memory-child", undefined);
if (child === "runtime" || child === "baseline") await memoryChild(child);
else await main();
