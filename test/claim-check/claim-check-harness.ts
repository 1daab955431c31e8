// Helpers of the claim-check integration tests: a per-test S3 bucket on moto (raw SDK), an HTTP
// proxy in front of moto's S3 that records (and can act on) every request, the x-sink result file,
// wire peeks with the raw broker SDKs, and queue cleanup.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { queueName } from "@asya/envelope";
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
  ChangeMessageVisibilityCommand,
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import amqplib from "amqplib";
import type { ActorProcess } from "../reliability/harness/actor-process.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import { BODY_ENCODING_ATTRIBUTE, decodeWireBody } from "../reliability/harness/sqs-wire.js";
import { sleep } from "../reliability/harness/wait.js";

export const MIB = 1024 * 1024;
export const CLAIM_HEADER = "x-asya-claim";
export const CLAIM_PREFIX = "asya-claims";
const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "handlers.js");

/** ASYA_HANDLER value of an export of fixtures/handlers.js. */
export function handlerOf(exportName: string): string {
  return `${FIXTURES}#${exportName}`;
}

/** Hex SHA-256 of bytes or a string's UTF-8. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** `size` characters of hex derived from `seed`: the blob the fixture handlers produce and check. */
export { makeBlob } from "./fixtures/handlers.js";

/** The `x-asya-claim` header. */
export interface Claim {
  readonly uri: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly content_type: string;
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; `describe` explains a timeout. */
export async function pollFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  describe: () => string = () => "",
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`[asya:test] timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`);
    }
    await sleep(intervalMs);
  }
}

/** The last output of each process, for failure messages. */
export function tails(processes: readonly ActorProcess[], bytes = 2_000): string {
  return processes.map((p) => `--- ${p.options.label} ---\n${p.tail(bytes)}`).join("\n");
}

/** The JSON log lines an actor wrote (the last 64 KiB of its output; ASYA_LOG_LEVEL=warn). */
export function actorLog(process: ActorProcess): Array<Record<string, unknown>> {
  return process
    .tail(64 * 1024)
    .split("\n")
    .flatMap((line): Array<Record<string, unknown>> => {
      try {
        const value: unknown = JSON.parse(line);
        return value !== null && typeof value === "object" ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}

// ---------------------------------------------------------------------------------------------
// S3 (moto)

/** A raw S3 client on moto (path-style, test credentials). */
export function s3Admin(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: CREDENTIALS });
}

/** Creates a bucket of a unique, lower-case name. */
export async function createBucket(s3: S3Client, label: string): Promise<string> {
  const bucket = `asya-cc-${label}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Every key of `bucket` (all pages). */
export async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  return keys;
}

/** Deletes every object of `bucket`, then the bucket; a missing bucket is fine. */
export async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  let keys: string[];
  try {
    keys = await listKeys(s3, bucket);
  } catch (error) {
    if ((error as { name?: string }).name === "NoSuchBucket") return;
    throw error;
  }
  for (let i = 0; i < keys.length; i += 1_000) {
    const Objects = keys.slice(i, i + 1_000).map((Key) => ({ Key }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** The bytes of `bucket/key`. */
export async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
}

/** Stores `body` at `bucket/key`. */
export async function putObject(s3: S3Client, bucket: string, key: string, body: Uint8Array): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" }),
  );
}

/** Stores `payload`'s JSON as the runtime would (`<prefix>/<sha256>`) and returns its claim. */
export async function storeClaim(s3: S3Client, bucket: string, payload: unknown): Promise<Claim> {
  const body = Buffer.from(JSON.stringify(payload), "utf8");
  const digest = sha256(body);
  await putObject(s3, bucket, `${CLAIM_PREFIX}/${digest}`, body);
  return claimFor(bucket, body);
}

/** The claim the runtime would write for an object of `body` in `bucket` (nothing is stored). */
export function claimFor(bucket: string, body: Uint8Array): Claim {
  const digest = sha256(body);
  return {
    uri: `s3://${bucket}/${CLAIM_PREFIX}/${digest}`,
    bytes: body.byteLength,
    sha256: digest,
    content_type: "application/json",
  };
}

/** ASYA_CLAIM_CHECK_* of an actor using `bucket` on moto (or a proxy) at `endpoint`. */
export function claimEnv(
  bucket: string,
  endpoint: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ASYA_CLAIM_CHECK_STORE: "s3",
    ASYA_CLAIM_CHECK_BUCKET: bucket,
    ASYA_CLAIM_CHECK_S3_ENDPOINT: endpoint,
    ASYA_AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// An HTTP proxy in front of moto's S3

/** One request the proxy forwarded. */
export interface ProxyRecord {
  readonly method: string;
  /** Path and query, e.g. `/bucket/asya-claims/<sha>?x-id=PutObject`. */
  readonly url: string;
  /** moto's status, once it answered. */
  status?: number;
}

/** A recording proxy to moto. */
export interface S3Proxy {
  readonly url: string;
  readonly requests: ProxyRecord[];
  /**
   * Called once moto answered and before the answer is relayed to the client; the relay waits for
   * it (the client never sees the answer when it is killed meanwhile).
   */
  beforeRespond: ((record: ProxyRecord) => void | Promise<void>) | undefined;
  close(): Promise<void>;
}

/** Requests of `method` whose path names `key` (or contains it). */
export function requestsFor(proxy: S3Proxy, method: string, key: string): ProxyRecord[] {
  return proxy.requests.filter((r) => r.method === method && r.url.split("?")[0]?.includes(key));
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding everything to `target` (moto). */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const upstreamUrl = new URL(target);
  const requests: ProxyRecord[] = [];
  const proxy: S3Proxy = {
    url: "",
    requests,
    beforeRespond: undefined,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const record: ProxyRecord = { method: req.method ?? "?", url: req.url ?? "" };
    requests.push(record);
    req.on("error", () => {});
    res.on("error", () => {});
    // `expect: 100-continue` was answered by this server already; moto gets the body straight away.
    const { expect: _expect, ...headers } = req.headers;
    const upstream = httpRequest(
      {
        host: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (answer: IncomingMessage) => {
        record.status = answer.statusCode ?? 0;
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("error", () => res.destroy());
        answer.on("end", () => {
          void (async () => {
            try {
              await proxy.beforeRespond?.(record);
            } catch {
              // a hook's failure must not take the proxy down
            }
            if (res.destroyed || req.socket.destroyed) return;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(chunks));
          })();
        });
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

// ---------------------------------------------------------------------------------------------
// x-sink's result file

/** A temporary directory with the x-sink result file and the handlers' call log. */
export interface RunFiles {
  readonly dir: string;
  readonly sinkFile: string;
  readonly callLog: string;
  remove(): void;
}

/** What every actor of a test records to: the handlers' call log and x-sink's result file. */
export function filesEnv(files: RunFiles): Record<string, string> {
  return { CLAIM_CALL_LOG: files.callLog, ASYA_SINK_STORE: "file", ASYA_SINK_FILE: files.sinkFile };
}

export function runFiles(label: string): RunFiles {
  const dir = mkdtempSync(join(tmpdir(), `asya-cc-${label}-`));
  return {
    dir,
    sinkFile: join(dir, "results.jsonl"),
    callLog: join(dir, "calls.jsonl"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Complete JSON lines of `path` (a line still being appended is skipped). */
function jsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line): T[] => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return [];
      }
    });
}

/** What x-sink stored (ASYA_SINK_STORE=file). */
export function sunk(sinkFile: string): SinkEnvelope[] {
  return jsonLines<SinkEnvelope>(sinkFile);
}

/** One handler call (fixtures/handlers.js). */
export interface CallRecord {
  readonly actor: string;
  readonly id: string;
  readonly attempt: number;
  readonly payload_null: boolean;
  readonly claim_header: boolean;
  readonly blob_length?: number;
  readonly blob_sha256?: string;
}

export function calls(callLog: string): CallRecord[] {
  return jsonLines<CallRecord>(callLog);
}

/** Waits until x-sink stored every id of `ids`; returns the first stored copy of each. */
export async function waitForSunk(
  sinkFile: string,
  ids: readonly string[],
  timeoutMs: number,
  processes: readonly ActorProcess[],
): Promise<Map<string, SinkEnvelope>> {
  return pollFor(
    `${ids.length} envelope(s) at x-sink`,
    () => {
      const byId = new Map<string, SinkEnvelope>();
      for (const envelope of sunk(sinkFile)) if (!byId.has(envelope.id)) byId.set(envelope.id, envelope);
      return ids.every((id) => byId.has(id)) ? byId : undefined;
    },
    timeoutMs,
    () => {
      const have = new Set(sunk(sinkFile).map((e) => e.id));
      return `missing: ${ids.filter((id) => !have.has(id)).join(", ")}\n${tails(processes)}`;
    },
    200,
  );
}

// ---------------------------------------------------------------------------------------------
// Wire peeks (a message looked at and put back, so the pipeline then carries on with it)

/** A message as it sits on a queue. */
export interface WireMessage {
  readonly body: Buffer;
  readonly envelope: SinkEnvelope & { readonly payload?: unknown };
}

/** Waits for a message on RabbitMQ `queue`, reads it and requeues it. */
export async function peekRabbitMq(url: string, queue: string, timeoutMs: number): Promise<WireMessage> {
  const connection = await amqplib.connect(url);
  connection.on("error", () => {});
  try {
    const channel = await connection.createChannel();
    channel.on("error", () => {});
    const message = await pollFor(
      `a message on ${queue}`,
      async () => {
        const got = await channel.get(queue, { noAck: false });
        return got === false ? undefined : got;
      },
      timeoutMs,
    );
    const body = Buffer.from(message.content);
    channel.nack(message, false, true);
    await channel.close();
    return { body, envelope: JSON.parse(body.toString("utf8")) as WireMessage["envelope"] };
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Waits for a message on SQS `queue`, reads it and makes it visible again at once. */
export async function peekSqs(endpoint: string, queue: string, timeoutMs: number): Promise<WireMessage> {
  const client = new SQSClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS });
  try {
    const url = await pollFor(
      `SQS queue ${queue}`,
      async () => {
        try {
          return (await client.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
    );
    const message = await pollFor(
      `a message on ${queue}`,
      async () => {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: 1,
            WaitTimeSeconds: 1,
            MessageAttributeNames: ["All"],
          }),
        );
        return Messages[0];
      },
      timeoutMs,
    );
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message.ReceiptHandle ?? "",
        VisibilityTimeout: 0,
      }),
    );
    const encoding = message.MessageAttributes?.[BODY_ENCODING_ATTRIBUTE]?.StringValue;
    const body = Buffer.from(decodeWireBody(message.Body ?? "", encoding));
    return { body, envelope: JSON.parse(body.toString("utf8")) as WireMessage["envelope"] };
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Queue cleanup

/**
 * Deletes the queues (and their DLQs) of `actors` plus x-sink's and x-sump's in `namespace`, and
 * their delay queues of `delayBucketsMs` (retries and redeliveries with those delays create them).
 */
export async function deleteRabbitMqQueues(
  url: string,
  namespace: string,
  actors: readonly string[],
  delayBucketsMs: readonly number[] = [100, 1_000],
): Promise<void> {
  const connection = await amqplib.connect(url);
  connection.on("error", () => {});
  try {
    for (const actor of [...actors, "x-sink", "x-sump"]) {
      const queue = queueName(actor, namespace);
      for (const name of [queue, `${queue}-dlq`, ...delayBucketsMs.map((ms) => `${queue}.delay.${ms}`)]) {
        // A failed delete closes the channel: one channel per queue.
        const channel = await connection.createChannel();
        channel.on("error", () => {});
        await channel.deleteQueue(name).catch(() => {});
        await channel.close().catch(() => {});
      }
    }
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Deletes every SQS queue of `namespace` (actors, crew, DLQs). */
export async function deleteSqsQueues(endpoint: string, namespace: string): Promise<void> {
  const client = new SQSClient({ endpoint, region: "us-east-1", credentials: CREDENTIALS });
  try {
    const { QueueUrls = [] } = await client.send(
      new ListQueuesCommand({ QueueNamePrefix: queueName("x", namespace).slice(0, -1) }),
    );
    for (const QueueUrl of QueueUrls) await client.send(new DeleteQueueCommand({ QueueUrl }));
  } finally {
    client.destroy();
  }
}
