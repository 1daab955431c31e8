import { join } from "node:path";
import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActorProcess, REPO_ROOT, stopAll } from "../reliability/harness/actor-process.js";
import { type LaunchedActor, launchActor, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import { createRawRabbitMq, rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import { waitFor } from "../reliability/harness/wait.js";

// From outside: `asya run` actors and two `asya run --crew fan-in` replicas on a private RabbitMQ
// node, the aggregator's state in Redis or PostgreSQL (private server / per-run database), one
// replica SIGKILLed and restarted three times mid-stream; merged envelopes read with amqplib.

const HANDLERS = join(REPO_ROOT, "test/crew/fixtures/handlers.js");
const ORIGINS = Number(process.env.ASYA_TEST_FANIN_ORIGINS ?? 30);
const SLICES = Number(process.env.ASYA_TEST_FANIN_SLICES ?? 25);

interface Merged {
  readonly id: string;
  readonly payload: { n: number; results: number[] };
  readonly headers: Record<string, unknown>;
  readonly route: unknown;
  readonly status: unknown;
}

const S3_BUCKET = `asya-fanin-${process.pid}`;
const stores = [
  { kind: "redis", origins: ORIGINS, env: () => ({ ASYA_STATE_URL: process.env.ASYA_TEST_REDIS_URL ?? "" }) },
  {
    kind: "postgres",
    origins: ORIGINS,
    env: () => ({ ASYA_STATE_URL: process.env.ASYA_TEST_POSTGRES_URL ?? "" }),
  },
  // S3 (moto) at a smaller scale: every slice is a few HTTP requests.
  {
    kind: "s3",
    origins: Math.max(5, Math.round(ORIGINS / 6)),
    env: () => ({
      ASYA_STATE_BUCKET: S3_BUCKET,
      ASYA_STATE_S3_ENDPOINT: process.env.ASYA_TEST_SQS_ENDPOINT ?? "",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    }),
  },
] as const;

describe.each(stores)(
  "fan-in on RabbitMQ, two aggregator replicas, $kind store",
  ({ kind, origins, env }) => {
    const processes: ActorProcess[] = [];
    const namespace = uniqueNamespace("fanin");
    let aggregators: LaunchedActor[] = [];

    beforeAll(async () => {
      const broker = rabbitMqEnv(rabbitMqUrl());
      if (kind === "s3") {
        // moto takes an unsigned CreateBucket; the store itself never creates buckets.
        const created = await fetch(`${process.env.ASYA_TEST_SQS_ENDPOINT}/${S3_BUCKET}`, { method: "PUT" });
        if (!created.ok && created.status !== 409) throw new Error(`CreateBucket: ${created.status}`);
      }
      const state = { ASYA_STATE_STORE: kind, ASYA_STATE_PREFIX: `${namespace}/`, ...env() };
      const launched = await Promise.all([
        launchActor({ name: "split", namespace, broker, handler: `${HANDLERS}#split` }),
        launchActor({ name: "work", namespace, broker, handler: `${HANDLERS}#work` }),
        launchActor({ name: "join", namespace, broker, crew: "fan-in", env: state }),
        launchActor({ name: "join", namespace, broker, crew: "fan-in", env: state }),
        launchActor({
          name: "x-sink",
          namespace,
          broker,
          crew: "x-sink",
          env: { ASYA_SINK_STORE: "stdout" },
        }),
      ]);
      processes.push(...launched.map((actor) => actor.process));
      aggregators = launched.slice(2, 4);
    }, 120_000);

    afterAll(async () => {
      await stopAll(processes);
    });

    it(`${origins} origins x ${SLICES} slices, one aggregator SIGKILLed 3 times: every merge once, complete, in order; repeats identical`, async () => {
      const raw = await createRawRabbitMq();
      const collect = queueName("collect", namespace);
      await raw.ensureQueue(collect);
      const seen = new Map<string, Merged[]>();
      const consumer = await raw.consume(collect, (message) => {
        const envelope = JSON.parse(new TextDecoder().decode(message.body)) as Merged;
        seen.set(envelope.id, [...(seen.get(envelope.id) ?? []), envelope]);
      });
      try {
        const bodies = Array.from({ length: origins }, (_, i) =>
          encodeEnvelope(
            createEnvelope({ id: `origin-${i}`, route: ["split", "collect"], payload: { n: SLICES } }),
          ),
        );
        await raw.publish(queueName("split", namespace), bodies);
        // Kill one replica at a quarter, half and three quarters of the merges.
        for (const share of [0.25, 0.5, 0.75]) {
          await waitFor(
            `${share * 100}% of the merges`,
            () => seen.size >= Math.floor(origins * share),
            120_000,
            20,
          );
          await (aggregators[0] as LaunchedActor).killAndRestart();
        }
        await waitFor(`${origins} merged envelopes`, () => seen.size === origins, 120_000);
        const expected = Array.from({ length: SLICES }, (_, i) => i * 2);
        let repeats = 0;
        for (const [id, copies] of seen) {
          expect(copies[0]?.payload, id).toEqual({ n: SLICES, results: expected });
          expect(copies[0]?.headers["x-asya-origin-id"]).toBe(`${id}@0`);
          expect(copies[0]?.headers["x-asya-fan-in"]).toBeUndefined();
          for (const copy of copies.slice(1)) expect(copy).toEqual(copies[0]);
          repeats += copies.length - 1;
        }
        console.info(
          `[fan-in ${kind}] ${origins} x ${SLICES}: ${seen.size} merged, ${repeats} identical repeats`,
        );
      } finally {
        await consumer.stop();
        await raw.close();
      }
    });
  },
);
