import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { type ActorProcess, stopAll } from "../reliability/harness/actor-process.js";
import { launchActor, meshQueues, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { createRawRabbitMq, rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import {
  CLAIM_HEADER,
  CLAIM_PREFIX,
  calls,
  claimEnv,
  createBucket,
  deleteBucket,
  deleteRabbitMqQueues,
  filesEnv,
  getObject,
  handlerOf,
  listKeys,
  MIB,
  makeBlob,
  type ProxyRecord,
  pollFor,
  requestsFor,
  runFiles,
  s3Admin,
  sha256,
  startS3Proxy,
  sunk,
  tails,
  waitForSunk,
} from "./claim-check-harness.js";

// A SIGKILL between storing the claim and publishing the envelope (RabbitMQ): the actor reaches S3
// through a proxy that, once moto stored the object, kills the actor before it hears back. The
// input was not acked, so RabbitMQ hands it to the restarted actor, which publishes it (reusing
// the object: content-addressed); nothing is lost, nothing arrives twice.
const endpoint = inject("sqsEndpoint");
const s3: S3Client = s3Admin(endpoint);
afterAll(() => s3.destroy());

describe("claim-check: SIGKILL between store and publish (RabbitMQ)", () => {
  it("redelivers the unacked input to the restarted actor; the result reaches x-sink once, intact", async () => {
    const SIZE = 4 * MIB;
    const url = rabbitMqUrl();
    const namespace = uniqueNamespace("cckill");
    const bucket = await createBucket(s3, "kill");
    const files = runFiles("kill");
    const raw = await createRawRabbitMq(url);
    const proxy = await startS3Proxy(endpoint);
    const actors = ["cc-produce", "cc-check"];
    const queues = meshQueues(actors, namespace);
    const common = {
      ...filesEnv(files),
      // 4 MiB is under RabbitMQ's default threshold (80% of 10 MiB): claim everything over 1 MiB.
      ASYA_CLAIM_CHECK_THRESHOLD_BYTES: String(MIB),
    };
    const processes: ActorProcess[] = [];
    try {
      for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
      const base = { namespace, broker: rabbitMqEnv(url), concurrency: 2 } as const;
      const produce = await launchActor({
        ...base,
        name: "cc-produce",
        handler: handlerOf("produce"),
        env: { ...claimEnv(bucket, proxy.url), ...common },
      });
      processes.push(produce.process);
      const firstPid = produce.process.pid;

      let killedAfter: ProxyRecord | undefined;
      proxy.beforeRespond = async (record) => {
        const isClaimPut = record.method === "PUT" && record.url.startsWith(`/${bucket}/${CLAIM_PREFIX}/`);
        if (killedAfter !== undefined || !isClaimPut || record.status !== 200) return;
        killedAfter = record;
        // moto stored the object; the actor dies before it hears so (the answer is never relayed).
        produce.process.signal("SIGKILL");
        await produce.process.waitForExit(10_000);
      };

      const id = `kill-${namespace}`;
      const expectedSha = sha256(makeBlob(id, SIZE));
      await raw.publish(queues.actors[0] ?? "", [
        encodeEnvelope(createEnvelope({ id, route: actors, payload: { seed: id, size: SIZE } })),
      ]);
      const put = await pollFor(
        "the claim PUT and the kill",
        () => killedAfter,
        30_000,
        () => tails(processes),
      );
      await produce.process.waitForExit(10_000);
      expect(produce.process.exits[0]?.signal).toBe("SIGKILL");
      // The object is in the bucket (an orphan for now), nothing was published downstream, and the
      // input is back on cc-produce's queue: it was never acked.
      const key = (put.url.split("?")[0] ?? "").slice(`/${bucket}/`.length);
      const orphan = await getObject(s3, bucket, key);
      expect(`${CLAIM_PREFIX}/${sha256(orphan)}`).toBe(key);
      expect(sha256((JSON.parse(orphan.toString("utf8")) as { blob: string }).blob)).toBe(expectedSha);
      expect(await raw.depth(queues.actors[1] ?? "")).toBe(0);
      await pollFor(
        "the input back on cc-produce's queue",
        async () => ((await raw.depth(queues.actors[0] ?? "")) === 1 ? true : undefined),
        10_000,
      );
      expect(sunk(files.sinkFile)).toEqual([]);

      // Restarted (the proxy now only passes through), with the rest of the pipeline.
      const launched = await Promise.allSettled([
        produce.killAndRestart(),
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
      for (const result of launched.slice(1)) {
        if (result.status === "fulfilled")
          processes.push((result.value as { process: ActorProcess }).process);
      }
      for (const result of launched) if (result.status === "rejected") throw result.reason;
      expect(produce.process.pid).not.toBe(firstPid);

      const result = (await waitForSunk(files.sinkFile, [id], 30_000, processes)).get(id) as SinkEnvelope;
      expect(result.status?.phase).toBe("succeeded");
      expect(result.headers?.[CLAIM_HEADER]).toBeUndefined();
      const payload = result.payload as { blob: string; hops: string[] };
      expect(payload.blob.length).toBe(SIZE);
      expect(sha256(payload.blob)).toBe(expectedSha);
      expect(payload.hops).toEqual(actors);
      // Exactly once at x-sink (the killed incarnation published nothing); give a late duplicate a
      // moment to show up by waiting for the queues to drain.
      await pollFor(
        "drained queues",
        async () => {
          const depths = await Promise.all([...queues.actors, queues.sink].map((q) => raw.depth(q)));
          return depths.every((depth) => depth === 0) ? true : undefined;
        },
        10_000,
      );
      expect(sunk(files.sinkFile).filter((envelope) => envelope.id === id)).toHaveLength(1);
      // The handler ran once per incarnation: the second run is the redelivery of the unacked input.
      const produced = calls(files.callLog).filter((record) => record.actor === "cc-produce");
      expect(produced.map((record) => record.id)).toEqual([id, id]);
      // The restarted actor's conditional put (If-None-Match: *) found the object already stored:
      // moto refused it (412) and the object is the one written before the kill; a HEAD then saw
      // it young (no refresh).
      expect(requestsFor(proxy, "PUT", key).map((put) => put.status)).toEqual([200, 412]);
      expect(requestsFor(proxy, "HEAD", key).map((head) => head.status)).toEqual([200]);
      // The orphan became the claim of the published envelope; cc-check's output is the other object.
      const keys = await listKeys(s3, bucket);
      expect(keys).toHaveLength(2);
      expect(keys).toContain(key);
    } finally {
      await stopAll(processes);
      await raw.close();
      await proxy.close();
      await deleteRabbitMqQueues(url, namespace, actors);
      await deleteBucket(s3, bucket);
      files.remove();
    }
  });
});
