import { createEnvelope, encodeEnvelope } from "@asya/envelope";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ActorProcess, stopAll } from "../reliability/harness/actor-process.js";
import { launchActor, meshQueues, rabbitMqEnv } from "../reliability/harness/mesh.js";
import { uniqueNamespace } from "../reliability/harness/ports.js";
import type { RawBroker } from "../reliability/harness/raw-broker.js";
import { createRawRabbitMq, rabbitMqUrl } from "../reliability/harness/raw-rabbitmq.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import {
  actorLog,
  CLAIM_HEADER,
  CLAIM_PREFIX,
  type Claim,
  calls,
  claimEnv,
  claimFor,
  createBucket,
  deleteBucket,
  deleteRabbitMqQueues,
  filesEnv,
  handlerOf,
  pollFor,
  putObject,
  type RunFiles,
  requestsFor,
  runFiles,
  type S3Proxy,
  s3Admin,
  sha256,
  startS3Proxy,
  storeClaim,
  waitForSunk,
} from "./claim-check-harness.js";

// Crafted claims published raw to an actor configured with the s3 store (RabbitMQ). The actor and
// x-sink each reach S3 through a recording proxy of their own, so the test sees what each fetched;
// the handler records every call and must never run. Missing and corrupt objects are retryable
// (the policy's 3 attempts, one GET each); a claim outside the store, a uri that is not its
// sha256's object, and a claim beside a payload are refused without fetching and without retry.
// Each must end failed at x-sink, stored there: x-sink's own resolve of the failed envelope's claim
// fails the same way, and redelivering a failed envelope cannot make its object appear.
const endpoint = inject("sqsEndpoint");
const s3: S3Client = s3Admin(endpoint);

const ATTEMPTS = 3;
/** x-sink stores a failed envelope well within this (the actor gives up after < 1 s). */
const SINK_TIMEOUT_MS = 15_000;

/** What the crafted envelopes need, set up once for the whole file. */
interface Setup {
  readonly url: string;
  readonly namespace: string;
  readonly bucket: string;
  readonly foreignBucket: string;
  readonly files: RunFiles;
  readonly raw: RawBroker;
  /** cc-guard's way to S3. */
  readonly proxy: S3Proxy;
  /** x-sink's way to S3. */
  readonly sinkProxy: S3Proxy;
  /** cc-guard's process, once started. */
  guard: ActorProcess | undefined;
  readonly processes: ActorProcess[];
}

const tag = uniqueNamespace("ccbad");
const idOf = (name: string) => `${name}-${tag}`;
let setup: Setup | undefined;
let cases: Record<string, { readonly claim: Claim; readonly payload: unknown }> = {};
/** The tampered object's bytes, and the sha256 of the objects outside the store. */
let tampered = Buffer.alloc(0);
let elsewhereSha = "";

function ready(): Setup {
  if (setup === undefined) throw new Error("[asya:test] setup failed");
  return setup;
}

/** The envelope x-sink stored for case `name`, failed with a ClaimCheckError. */
async function failedAtSink(
  name: string,
): Promise<{ status: SinkEnvelope["status"]; message: string; result: SinkEnvelope }> {
  const { files, processes } = ready();
  const result = (await waitForSunk(files.sinkFile, [idOf(name)], SINK_TIMEOUT_MS, processes)).get(
    idOf(name),
  ) as SinkEnvelope;
  expect(result.status?.phase, name).toBe("failed");
  expect(result.status?.error?.type, name).toBe("ClaimCheckError");
  return { status: result.status, message: result.status?.error?.message ?? "", result };
}

/** The guard handler never ran for case `name`, and cc-guard logged the claim's error `code`. */
function expectRefusedBeforeHandler(name: string, code: string): void {
  expect(calls(ready().files.callLog).filter((record) => record.id === idOf(name))).toEqual([]);
  const guard = ready().guard;
  if (guard === undefined) throw new Error("[asya:test] cc-guard did not start");
  const lines = actorLog(guard).filter(
    (line) =>
      line.envelope_id === idOf(name) &&
      line.msg === "claim-checked payload not resolved; handler not called",
  );
  expect(lines.length, `cc-guard's log of ${name}`).toBeGreaterThan(0);
  for (const line of lines) expect(line.error_code, name).toBe(code);
}

beforeAll(async () => {
  const url = rabbitMqUrl();
  const namespace = tag;
  const bucket = await createBucket(s3, "bad");
  const foreignBucket = await createBucket(s3, "foreign");
  const files = runFiles("bad");
  const raw = await createRawRabbitMq(url);
  const proxy = await startS3Proxy(endpoint);
  const sinkProxy = await startS3Proxy(endpoint);
  const processes: ActorProcess[] = [];
  // Set before anything can fail, so afterAll removes whatever was made.
  setup = {
    url,
    namespace,
    bucket,
    foreignBucket,
    files,
    raw,
    proxy,
    sinkProxy,
    guard: undefined,
    processes,
  };
  const queues = meshQueues(["cc-guard"], namespace);
  const common = filesEnv(files);
  for (const queue of [...queues.actors, queues.sink]) await raw.ensureQueue(queue);
  const base = { namespace, broker: rabbitMqEnv(url), concurrency: 4 } as const;
  const launched = await Promise.allSettled([
    launchActor({
      ...base,
      name: "cc-guard",
      handler: handlerOf("guard"),
      env: {
        ...claimEnv(bucket, proxy.url),
        ...common,
        ASYA_RESILIENCY_POLICIES: JSON.stringify({
          claims: { maxAttempts: ATTEMPTS, backoff: "constant", initialDelay: "100ms" },
        }),
        ASYA_RESILIENCY_RULES: JSON.stringify([{ errors: ["ClaimCheckError"], policy: "claims" }]),
      },
    }),
    launchActor({
      ...base,
      name: "x-sink",
      crew: "x-sink",
      env: { ...claimEnv(bucket, sinkProxy.url), ...common },
    }),
  ]);
  for (const result of launched) if (result.status === "fulfilled") processes.push(result.value.process);
  for (const result of launched) if (result.status === "rejected") throw result.reason;
  setup.guard = processes[0];

  // A claim whose object was never stored.
  const missing = claimFor(bucket, Buffer.from(JSON.stringify({ never: tag })));
  // An object tampered with after it was stored: same size, other bytes, under the old key.
  const original = Buffer.from(JSON.stringify({ text: `original ${tag}` }));
  const corrupt = claimFor(bucket, original);
  tampered = Buffer.from(original.toString("utf8").replace("original", "tampered"));
  expect(tampered.byteLength).toBe(original.byteLength);
  await putObject(s3, bucket, `${CLAIM_PREFIX}/${corrupt.sha256}`, tampered);
  // Objects that exist, but outside the configured store (another bucket, another prefix).
  const elsewhere = Buffer.from(JSON.stringify({ elsewhere: tag }));
  elsewhereSha = sha256(elsewhere);
  await putObject(s3, foreignBucket, `${CLAIM_PREFIX}/${elsewhereSha}`, elsewhere);
  await putObject(s3, bucket, `other-prefix/${elsewhereSha}`, elsewhere);
  const foreign = (uri: string): Claim => ({ ...claimFor(bucket, elsewhere), uri });
  // A real object, claimed beside an inline payload; and a claim whose uri names another object.
  const real = await storeClaim(s3, bucket, { real: tag });
  cases = {
    missing: { claim: missing, payload: null },
    corrupt: { claim: corrupt, payload: null },
    "foreign-bucket": {
      claim: foreign(`s3://${foreignBucket}/${CLAIM_PREFIX}/${elsewhereSha}`),
      payload: null,
    },
    "foreign-prefix": { claim: foreign(`s3://${bucket}/other-prefix/${elsewhereSha}`), payload: null },
    "foreign-url": {
      claim: foreign(`${proxy.url}/${bucket}/${CLAIM_PREFIX}/${elsewhereSha}`),
      payload: null,
    },
    "uri-not-sha": { claim: { ...real, sha256: missing.sha256 }, payload: null },
    "with-payload": { claim: real, payload: { inline: true } },
  };
  await raw.publish(
    queues.actors[0] ?? "",
    Object.entries(cases).map(([name, { claim, payload }]) =>
      encodeEnvelope(
        createEnvelope({ id: idOf(name), route: ["cc-guard"], payload, headers: { [CLAIM_HEADER]: claim } }),
      ),
    ),
  );
});

afterAll(async () => {
  if (setup !== undefined) {
    const { url, namespace, bucket, foreignBucket, files, raw, proxy, sinkProxy, processes } = setup;
    await stopAll(processes);
    await raw.close();
    await proxy.close();
    await sinkProxy.close();
    await deleteRabbitMqQueues(url, namespace, ["cc-guard"]);
    await deleteBucket(s3, bucket);
    await deleteBucket(s3, foreignBucket);
    files.remove();
  }
  s3.destroy();
});

describe("claim-check: bad input (RabbitMQ, s3 store)", () => {
  it("refuses a claim outside the store (other bucket, other prefix, a URL): not fetched, not retried", async () => {
    for (const name of ["foreign-bucket", "foreign-prefix", "foreign-url"]) {
      const refused = await failedAtSink(name);
      expect(refused.message, name).toContain(JSON.stringify(cases[name]?.claim.uri));
      expect(refused.message, name).toContain("is outside the s3 store");
      expect(refused.message, name).toContain("not fetched");
      expect(refused.status?.attempt ?? 1, name).toBe(1);
      expectRefusedBeforeHandler(name, "FOREIGN_URI");
    }
    // Neither cc-guard nor x-sink asked anyone for those objects.
    const { proxy, sinkProxy, foreignBucket } = ready();
    for (const requests of [proxy.requests, sinkProxy.requests]) {
      expect(requests.filter((request) => request.url.includes(elsewhereSha))).toEqual([]);
      expect(requests.filter((request) => request.url.includes(foreignBucket))).toEqual([]);
    }
  });

  it("refuses a claim beside a payload and a uri that is not its sha256's object (INVALID_CLAIM)", async () => {
    const real = cases["with-payload"]?.claim as Claim;
    const both = await failedAtSink("with-payload");
    expect(both.message).toContain(`envelope ${idOf("with-payload")} has both ${CLAIM_HEADER} and a payload`);
    expect(both.status?.attempt ?? 1).toBe(1);
    expect(both.result.payload).toEqual({ inline: true });
    expectRefusedBeforeHandler("with-payload", "INVALID_CLAIM");
    const notItsObject = await failedAtSink("uri-not-sha");
    const claimed = cases["uri-not-sha"]?.claim as Claim;
    expect(notItsObject.message).toContain(`names object ${real.sha256}, not its sha256 ${claimed.sha256}`);
    expect(notItsObject.status?.attempt ?? 1).toBe(1);
    expectRefusedBeforeHandler("uri-not-sha", "INVALID_CLAIM");
    expect(requestsFor(ready().proxy, "GET", real.sha256)).toEqual([]);
    expect(requestsFor(ready().sinkProxy, "GET", real.sha256)).toEqual([]);
  });

  it("retries a missing object (NOT_FOUND) by policy, then fails it at x-sink", async () => {
    const missing = cases.missing?.claim as Claim;
    // The actor: one GET per attempt, all answered 404, then the policy's end.
    await pollFor(
      `${ATTEMPTS} GETs of the missing object`,
      () => (requestsFor(ready().proxy, "GET", missing.sha256).length >= ATTEMPTS ? true : undefined),
      SINK_TIMEOUT_MS,
    );
    const notFound = await failedAtSink("missing");
    expect(notFound.message).toContain(missing.uri);
    expect(notFound.message).toContain("does not exist");
    expect(notFound.status?.attempt).toBe(ATTEMPTS);
    expect(requestsFor(ready().proxy, "GET", missing.sha256).map((get) => get.status)).toEqual(
      Array(ATTEMPTS).fill(404),
    );
    expectRefusedBeforeHandler("missing", "NOT_FOUND");
  });

  it("retries a corrupt object (sha256 mismatch: CORRUPT) by policy, then fails it at x-sink", async () => {
    const corrupt = cases.corrupt?.claim as Claim;
    await pollFor(
      `${ATTEMPTS} GETs of the corrupt object`,
      () => (requestsFor(ready().proxy, "GET", corrupt.sha256).length >= ATTEMPTS ? true : undefined),
      SINK_TIMEOUT_MS,
    );
    const corrupted = await failedAtSink("corrupt");
    expect(corrupted.message).toContain(corrupt.uri);
    expect(corrupted.message).toContain(`sha256 ${sha256(tampered)}, the claim says ${corrupt.sha256}`);
    expect(corrupted.status?.attempt).toBe(ATTEMPTS);
    expect(requestsFor(ready().proxy, "GET", corrupt.sha256)).toHaveLength(ATTEMPTS);
    expectRefusedBeforeHandler("corrupt", "CORRUPT");
  });
});
