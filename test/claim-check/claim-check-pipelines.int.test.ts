import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ActorProcess, stopAll } from "../reliability/harness/actor-process.js";
import { type BrokerEnv, launchActor, meshQueues, rabbitMqEnv, sqsEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { createRawRabbitMq, rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { createRawSqs } from "../reliability/harness/raw-sqs.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import {
  type CallRecord,
  CLAIM_HEADER,
  CLAIM_PREFIX,
  type Claim,
  calls,
  claimEnv,
  createBucket,
  deleteBucket,
  deleteRabbitMqQueues,
  deleteSqsQueues,
  filesEnv,
  getObject,
  handlerOf,
  listKeys,
  MIB,
  makeBlob,
  peekRabbitMq,
  peekSqs,
  runFiles,
  s3Admin,
  sha256,
  storeClaim,
  type WireMessage,
  waitForSunk,
} from "./claim-check-harness.js";

// 10 MiB payloads through three `asya run` actors and x-sink on SQS (moto; 1 MiB per message at
// most, so nothing of this size can travel without claim-check) and on RabbitMQ (the payload is over
// the default threshold, 80% of the 10 MiB receiving limit). Every handler checks it got the real
// payload; the wire between actors carries only a small envelope with the claim; x-sink stores the
// resolved result.
const SIZE = 10 * MIB;
/** A claim-checked envelope is routing, status and headers only. */
const SMALL_ENVELOPE_BYTES = 4_096;

const endpoint = inject("sqsEndpoint");
const s3: S3Client = s3Admin(endpoint);
afterAll(() => s3.destroy());

interface Stored {
  readonly claim: Claim;
  readonly payload: { blob: string; blob_sha256: string; hops: string[] };
}

/**
 * Checks a message on the wire is claim-checked: small, `payload: null`, still routable (x-sink's
 * queue gets the route's end: `curr` ""), and its
 * claim names a content-addressed object of `bucket` holding the payload's JSON.
 */
async function expectClaimed(
  wire: WireMessage,
  bucket: string,
  route: { readonly prev: readonly string[]; readonly curr: string },
): Promise<Stored> {
  expect(wire.body.byteLength).toBeLessThan(SMALL_ENVELOPE_BYTES);
  expect(wire.envelope.payload).toBeNull();
  expect(wire.envelope.route).toMatchObject(route);
  const claim = wire.envelope.headers?.[CLAIM_HEADER] as Claim;
  expect(claim).toEqual({
    uri: `s3://${bucket}/${CLAIM_PREFIX}/${claim.sha256}`,
    bytes: expect.any(Number),
    sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    content_type: "application/json",
  });
  expect(claim.bytes).toBeGreaterThan(SIZE);
  const object = await getObject(s3, bucket, `${CLAIM_PREFIX}/${claim.sha256}`);
  expect(object.byteLength).toBe(claim.bytes);
  expect(sha256(object)).toBe(claim.sha256);
  return { claim, payload: JSON.parse(object.toString("utf8")) as Stored["payload"] };
}

/** Checks x-sink stored the resolved result: the whole blob, every hop, no claim left. */
function expectResolvedResult(result: SinkEnvelope, expectedSha: string, hops: readonly string[]): void {
  expect(result.status?.phase).toBe("succeeded");
  expect(result.headers?.[CLAIM_HEADER]).toBeUndefined();
  const payload = result.payload as { blob?: string; blob_sha256?: string; hops?: string[]; size?: number };
  expect(payload).not.toBeNull();
  expect(payload.blob?.length).toBe(SIZE);
  expect(sha256(payload.blob ?? "")).toBe(expectedSha);
  expect(payload.blob_sha256).toBe(expectedSha);
  expect(payload.hops).toEqual(hops);
}

/** Checks each of `actors` ran on the real payload (never null, never a claim header). */
function expectHandlersSawBlob(records: readonly CallRecord[], actors: readonly string[], sha: string): void {
  for (const actor of actors) {
    const mine = records.filter((record) => record.actor === actor);
    expect(mine.length, `calls of ${actor}`).toBeGreaterThan(0);
    for (const record of mine) {
      expect(record).toMatchObject({ payload_null: false, claim_header: false, blob_length: SIZE });
      expect(record.blob_sha256).toBe(sha);
    }
  }
}

/** Every object of `bucket` is content-addressed: its key is the sha256 of its bytes. */
async function expectContentAddressed(bucket: string): Promise<string[]> {
  const keys = await listKeys(s3, bucket);
  for (const key of keys) {
    expect(key).toMatch(new RegExp(`^${CLAIM_PREFIX}/[0-9a-f]{64}$`));
    expect(sha256(await getObject(s3, bucket, key))).toBe(key.slice(CLAIM_PREFIX.length + 1));
  }
  return keys;
}

interface Mesh {
  readonly processes: ActorProcess[];
  launch(name: string, options: { handler?: string; crew?: "x-sink" }): Promise<void>;
}

function mesh(namespace: string, broker: BrokerEnv, env: Record<string, string>): Mesh {
  const processes: ActorProcess[] = [];
  return {
    processes,
    async launch(name, options) {
      const actor = await launchActor({
        name,
        namespace,
        broker,
        concurrency: 2,
        ...(options.handler === undefined ? {} : { handler: handlerOf(options.handler) }),
        ...(options.crew === undefined ? {} : { crew: options.crew }),
        env,
      });
      processes.push(actor.process);
    },
  };
}

describe("claim-check: 10 MiB through a 3-actor pipeline", () => {
  it("on SQS (moto): produced, claimed on every hop, resolved for each handler and at x-sink", async () => {
    const namespace = uniqueNamespace("ccsqs");
    const bucket = await createBucket(s3, "sqs");
    const files = runFiles("sqs");
    const raw = createRawSqs(endpoint);
    const actors = ["cc-produce", "cc-relay", "cc-verify"];
    const queues = meshQueues(actors, namespace);
    const env = { ...claimEnv(bucket, endpoint), ...filesEnv(files) };
    const { processes, launch } = mesh(namespace, sqsEnv(endpoint), env);
    try {
      for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
      await launch("cc-produce", { handler: "produce" });
      const id = `big-${namespace}`;
      const expectedSha = sha256(makeBlob(id, SIZE));
      await raw.publish(queues.actors[0] ?? "", [
        encodeEnvelope(createEnvelope({ id, route: actors, payload: { seed: id, size: SIZE } })),
      ]);

      // Between cc-produce and cc-relay (not started yet): a small envelope and the object in S3.
      const hop = await expectClaimed(await peekSqs(endpoint, queues.actors[1] ?? "", 30_000), bucket, {
        prev: ["cc-produce"],
        curr: "cc-relay",
      });
      expect(sha256(hop.payload.blob)).toBe(expectedSha);
      expect(hop.payload.hops).toEqual(["cc-produce"]);

      await Promise.all([
        launch("cc-relay", { handler: "check" }),
        launch("cc-verify", { handler: "check" }),
      ]);
      // What reaches x-sink's queue is claimed too (x-sink not started yet).
      const last = await expectClaimed(await peekSqs(endpoint, queues.sink, 30_000), bucket, {
        prev: actors,
        curr: "",
      });
      expect(last.payload.hops).toEqual(actors);

      await launch("x-sink", { crew: "x-sink" });
      const results = await waitForSunk(files.sinkFile, [id], 30_000, processes);
      expectResolvedResult(results.get(id) as SinkEnvelope, expectedSha, actors);
      expectHandlersSawBlob(calls(files.callLog), ["cc-relay", "cc-verify"], expectedSha);
      // One object per output that needed one (SQS may redeliver; content addressing stores it once).
      const keys = await expectContentAddressed(bucket);
      expect(keys).toHaveLength(3);
      expect(keys).toContain(`${CLAIM_PREFIX}/${hop.claim.sha256}`);
      expect(keys).toContain(`${CLAIM_PREFIX}/${last.claim.sha256}`);
    } finally {
      await stopAll(processes);
      await raw.close();
      await deleteSqsQueues(endpoint, namespace);
      await deleteBucket(s3, bucket);
      files.remove();
    }
  });

  it("on RabbitMQ: a claimed input published raw, claimed on every hop, resolved at x-sink", async () => {
    const url = rabbitMqUrl();
    const namespace = uniqueNamespace("ccrmq");
    const bucket = await createBucket(s3, "rmq");
    const files = runFiles("rmq");
    const raw = await createRawRabbitMq(url);
    const actors = ["cc-a", "cc-b", "cc-c"];
    const queues = meshQueues(actors, namespace);
    const env = { ...claimEnv(bucket, endpoint), ...filesEnv(files) };
    const { processes, launch } = mesh(namespace, rabbitMqEnv(url), env);
    try {
      for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
      const id = `big-${namespace}`;
      const blob = makeBlob(id, SIZE);
      const expectedSha = sha256(blob);
      // A client's claim-checked input: the object put straight into the bucket, the envelope raw.
      const input = await storeClaim(s3, bucket, {
        seed: id,
        size: SIZE,
        blob,
        blob_sha256: expectedSha,
        hops: ["client"],
      });
      await launch("cc-a", { handler: "check" });
      await raw.publish(queues.actors[0] ?? "", [
        encodeEnvelope(
          createEnvelope({ id, route: actors, payload: null, headers: { [CLAIM_HEADER]: input } }),
        ),
      ]);

      const hop = await expectClaimed(await peekRabbitMq(url, queues.actors[1] ?? "", 30_000), bucket, {
        prev: ["cc-a"],
        curr: "cc-b",
      });
      expect(hop.payload.hops).toEqual(["client", "cc-a"]);
      expect(sha256(hop.payload.blob)).toBe(expectedSha);
      // A new payload, so a new object: the input's claim is not passed along.
      expect(hop.claim.sha256).not.toBe(input.sha256);

      await Promise.all([launch("cc-b", { handler: "check" }), launch("cc-c", { handler: "check" })]);
      const last = await expectClaimed(await peekRabbitMq(url, queues.sink, 30_000), bucket, {
        prev: actors,
        curr: "",
      });
      expect(last.payload.hops).toEqual(["client", ...actors]);

      await launch("x-sink", { crew: "x-sink" });
      const results = await waitForSunk(files.sinkFile, [id], 30_000, processes);
      expectResolvedResult(results.get(id) as SinkEnvelope, expectedSha, ["client", ...actors]);
      const records = calls(files.callLog);
      expectHandlersSawBlob(records, actors, expectedSha);
      // RabbitMQ redelivers only on failure: each handler ran exactly once.
      expect(records.map((record) => record.actor).sort()).toEqual([...actors].sort());
      const keys = await expectContentAddressed(bucket);
      expect(keys).toHaveLength(4);
    } finally {
      await stopAll(processes);
      await raw.close();
      await deleteRabbitMqQueues(url, namespace, actors);
      await deleteBucket(s3, bucket);
      files.remove();
    }
  });
});
