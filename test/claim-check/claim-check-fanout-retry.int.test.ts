import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ActorProcess, stopAll } from "../reliability/harness/actor-process.js";
import { launchActor, meshQueues, sqsEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { createRawSqs } from "../reliability/harness/raw-sqs.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import {
  CLAIM_HEADER,
  CLAIM_PREFIX,
  calls,
  claimEnv,
  createBucket,
  deleteBucket,
  deleteSqsQueues,
  filesEnv,
  getObject,
  handlerOf,
  listKeys,
  MIB,
  makeBlob,
  requestsFor,
  runFiles,
  s3Admin,
  sha256,
  startS3Proxy,
  waitForSunk,
} from "./claim-check-harness.js";

// Fan-out and retries of claim-checked payloads on SQS (moto), where every one of these payloads
// is over the 1 MiB message limit: without claim-check none of them could be published at all.
const endpoint = inject("sqsEndpoint");
const s3: S3Client = s3Admin(endpoint);
afterAll(() => s3.destroy());

interface BlobPayload {
  readonly variant?: number;
  readonly size: number;
  readonly blob: string;
  readonly blob_sha256: string;
  readonly hops: readonly string[];
  readonly flaky_attempt?: number;
}

describe("claim-check on SQS: fan-out and retry", () => {
  it("fans out 20 children of 2 MiB: all intact at x-sink, identical children stored once", async () => {
    const CHILDREN = 20;
    const VARIANTS = 10;
    const SIZE = 2 * MIB;
    const namespace = uniqueNamespace("ccfan");
    const bucket = await createBucket(s3, "fan");
    const files = runFiles("fan");
    const raw = createRawSqs(endpoint);
    // The fan-out actor reaches S3 through a recording proxy: its PUTs are counted.
    const proxy = await startS3Proxy(endpoint);
    const actors = ["cc-fanout", "cc-check"];
    const queues = meshQueues(actors, namespace);
    const common = filesEnv(files);
    const processes: ActorProcess[] = [];
    try {
      for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
      const base = { namespace, broker: sqsEnv(endpoint), concurrency: 4 } as const;
      const launched = await Promise.allSettled([
        launchActor({
          ...base,
          name: "cc-fanout",
          handler: handlerOf("fanout"),
          env: { ...claimEnv(bucket, proxy.url), ...common },
        }),
        launchActor({
          ...base,
          name: "cc-check",
          handler: handlerOf("check"),
          env: { ...claimEnv(bucket, endpoint), ...common },
        }),
        launchActor({
          ...base,
          name: "x-sink",
          crew: "x-sink",
          env: { ...claimEnv(bucket, endpoint), ...common },
        }),
      ]);
      for (const result of launched) if (result.status === "fulfilled") processes.push(result.value.process);
      for (const result of launched) if (result.status === "rejected") throw result.reason;

      const id = `fan-${namespace}`;
      await raw.publish(queues.actors[0] ?? "", [
        encodeEnvelope(
          createEnvelope({
            id,
            route: actors,
            payload: { seed: id, size: SIZE, count: CHILDREN, variants: VARIANTS },
          }),
        ),
      ]);
      // Child 0 keeps the id, child i is `<id>-<i>`.
      const ids = Array.from({ length: CHILDREN }, (_, i) => (i === 0 ? id : `${id}-${i}`));
      const results = await waitForSunk(files.sinkFile, ids, 60_000, processes);
      const expected = Array.from({ length: VARIANTS }, (_, v) => sha256(makeBlob(`${id}-v${v}`, SIZE)));
      ids.forEach((childId, i) => {
        const result = results.get(childId) as SinkEnvelope;
        expect(result.status?.phase, childId).toBe("succeeded");
        expect(result.headers?.[CLAIM_HEADER]).toBeUndefined();
        const payload = result.payload as BlobPayload;
        expect(payload.variant).toBe(i % VARIANTS);
        expect(payload.blob.length).toBe(SIZE);
        expect(sha256(payload.blob), childId).toBe(expected[i % VARIANTS]);
        expect(payload.hops).toEqual(actors);
      });
      // cc-check got all 20 children resolved (an SQS redelivery may add a call, never a bad one).
      const checked = calls(files.callLog).filter((record) => record.actor === "cc-check");
      expect(new Set(checked.map((record) => record.id))).toEqual(new Set(ids));
      for (const record of checked) {
        expect(record).toMatchObject({ payload_null: false, claim_header: false, blob_length: SIZE });
        expect(expected).toContain(record.blob_sha256);
      }

      // 10 distinct children -> 10 PUTs by the fan-out actor: a twin is one this process stored a
      // moment ago, so it costs no request at all.
      const puts = requestsFor(proxy, "PUT", `/${bucket}/${CLAIM_PREFIX}/`);
      expect(puts).toHaveLength(VARIANTS);
      expect(puts.every((put) => put.status === 200)).toBe(true);
      expect(requestsFor(proxy, "HEAD", `/${bucket}/${CLAIM_PREFIX}/`)).toEqual([]);
      // In the bucket: one object per distinct content, for the fan-out's and cc-check's outputs.
      const keys = await listKeys(s3, bucket);
      expect(keys).toHaveLength(2 * VARIANTS);
      const stages = new Map<string, number>();
      for (const key of keys) {
        const object = await getObject(s3, bucket, key);
        expect(`${CLAIM_PREFIX}/${sha256(object)}`).toBe(key);
        const stored = JSON.parse(object.toString("utf8")) as BlobPayload;
        expect(expected).toContain(sha256(stored.blob));
        const stage = stored.hops.join(">");
        stages.set(stage, (stages.get(stage) ?? 0) + 1);
      }
      expect(Object.fromEntries(stages)).toEqual({ "cc-fanout": VARIANTS, "cc-fanout>cc-check": VARIANTS });
    } finally {
      await stopAll(processes);
      await raw.close();
      await proxy.close();
      await deleteSqsQueues(endpoint, namespace);
      await deleteBucket(s3, bucket);
      files.remove();
    }
  });

  it("retries a claimed input: the first attempt fails, the second succeeds, the result is intact", async () => {
    const SIZE = 3 * MIB;
    const namespace = uniqueNamespace("ccretry");
    const bucket = await createBucket(s3, "retry");
    const files = runFiles("retry");
    const raw = createRawSqs(endpoint);
    const actors = ["cc-produce", "cc-flaky", "cc-check"];
    const queues = meshQueues(actors, namespace);
    const env = { ...claimEnv(bucket, endpoint), ...filesEnv(files) };
    const processes: ActorProcess[] = [];
    try {
      for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
      const base = { namespace, broker: sqsEnv(endpoint), concurrency: 2 } as const;
      const launched = await Promise.allSettled([
        launchActor({ ...base, name: "cc-produce", handler: handlerOf("produce"), env }),
        launchActor({
          ...base,
          name: "cc-flaky",
          handler: handlerOf("flaky"),
          env: {
            ...env,
            ASYA_RESILIENCY_POLICIES: JSON.stringify({
              again: { maxAttempts: 3, backoff: "constant", initialDelay: "100ms" },
            }),
            ASYA_RESILIENCY_RULES: JSON.stringify([{ errors: ["FlakyError"], policy: "again" }]),
          },
        }),
        launchActor({ ...base, name: "cc-check", handler: handlerOf("check"), env }),
        launchActor({ ...base, name: "x-sink", crew: "x-sink", env }),
      ]);
      for (const result of launched) if (result.status === "fulfilled") processes.push(result.value.process);
      for (const result of launched) if (result.status === "rejected") throw result.reason;

      const id = `retry-${namespace}`;
      const expectedSha = sha256(makeBlob(id, SIZE));
      await raw.publish(queues.actors[0] ?? "", [
        encodeEnvelope(createEnvelope({ id, route: actors, payload: { seed: id, size: SIZE } })),
      ]);
      const result = (await waitForSunk(files.sinkFile, [id], 60_000, processes)).get(id) as SinkEnvelope;
      expect(result.status?.phase).toBe("succeeded");
      expect(result.headers?.[CLAIM_HEADER]).toBeUndefined();
      const payload = result.payload as BlobPayload;
      expect(payload.blob.length).toBe(SIZE);
      expect(sha256(payload.blob)).toBe(expectedSha);
      expect(payload.hops).toEqual(actors);
      expect(payload.flaky_attempt).toBe(2);

      // cc-flaky ran twice, on the real payload both times: the retry copy (over SQS's limit) was
      // claim-checked again and resolved again.
      const flaky = calls(files.callLog).filter((record) => record.actor === "cc-flaky" && record.id === id);
      expect(flaky.map((record) => record.attempt)).toEqual([1, 2]);
      for (const record of flaky) {
        expect(record).toMatchObject({ payload_null: false, claim_header: false, blob_length: SIZE });
        expect(record.blob_sha256).toBe(expectedSha);
      }
      // The retry copy carries the same payload, so it adds no object: cc-produce's, cc-flaky's
      // and cc-check's outputs only.
      expect(await listKeys(s3, bucket)).toHaveLength(3);
    } finally {
      await stopAll(processes);
      await raw.close();
      await deleteSqsQueues(endpoint, namespace);
      await deleteBucket(s3, bucket);
      files.remove();
    }
  });
});
