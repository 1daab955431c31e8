import { createHash, randomBytes } from "node:crypto";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClaimCheck, createS3ClaimStore } from "@asya/claim-check";
import { createEnvelope, HEADER_CLAIM } from "@asya/envelope";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { buildApp } from "fauxqs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rejection } from "./helpers.js";

// The S3 store against moto's S3 (test/setup/moto.ts) and fauxqs's (in process), checked with the
// raw SDK; a bucket of this file's own per emulator, emptied and deleted at the end.
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const motoEndpoint = inject("sqsEndpoint") || process.env.ASYA_TEST_SQS_ENDPOINT || "";
let fauxqs: ReturnType<typeof buildApp> | undefined;

describe.each([
  { name: "moto", start: async () => motoEndpoint },
  {
    name: "fauxqs",
    start: async () => {
      fauxqs = buildApp({ logger: false });
      return fauxqs.listen({ port: 0, host: "127.0.0.1" });
    },
  },
])("createS3ClaimStore on $name", ({ name, start }) => {
  // moto refuses a PutObject with If-None-Match: * over an existing key (412), as S3 does; fauxqs
  // 1.9 ignores the header and overwrites (same bytes: harmless, one more upload).
  const conditionalPuts = name === "moto";
  const bucket = `asya-claims-test-${randomBytes(4).toString("hex")}`;
  let endpoint = "";
  let admin: S3Client;

  /** A pass-through proxy to the emulator that records each request's method and path. */
  let proxy: Server;
  let proxyUrl = "";
  const seen: string[] = [];

  beforeAll(async () => {
    endpoint = await start();
    admin = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const target = new URL(endpoint);
    proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }));
    if (objects.length > 0)
      await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
    admin.destroy();
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await fauxqs?.close();
    fauxqs = undefined;
  });

  it("stores a 3 MiB payload at <prefix>/<sha256> with path-style requests, once, and reads it back", async () => {
    const store = await createS3ClaimStore({ bucket, endpoint: proxyUrl, credentials, prefix: "claims/" });
    const claimCheck = createClaimCheck({ store });
    const payload = { blob: randomBytes(3 * 1024 * 1024).toString("base64") };
    const envelope = createEnvelope({ id: "s3-1", route: ["a", "b"], payload });
    seen.length = 0;
    const claimed = await claimCheck.offload(envelope);
    const claim = claimed.headers?.[HEADER_CLAIM] as { uri: string; sha256: string; bytes: number };
    expect(claim.uri).toBe(`s3://${bucket}/claims/${claim.sha256}`);
    // Path-style: the bucket is in the path, not the host. One round trip: written if absent.
    const put = `PUT /${bucket}/claims/${claim.sha256}?x-id=PutObject`;
    expect(seen).toEqual([put]);
    const raw = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: `claims/${claim.sha256}` }));
    const bytes = Buffer.from(await (raw.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
    expect(bytes.byteLength).toBe(claim.bytes);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(claim.sha256);
    expect(raw.ContentType).toBe("application/json");
    // Again from this process (a retry, an identical child): no request at all.
    seen.length = 0;
    await claimCheck.offload(envelope);
    expect(seen).toEqual([]);
    // From another process (a redelivery elsewhere): the conditional put is refused, the object
    // stays as it was written, and its age is asked for (young: nothing more).
    const other = createClaimCheck({
      store: await createS3ClaimStore({ bucket, endpoint: proxyUrl, credentials, prefix: "claims" }),
    });
    await other.offload(envelope);
    expect(seen).toEqual(conditionalPuts ? [put, `HEAD /${bucket}/claims/${claim.sha256}`] : [put]);
    expect((await claimCheck.resolve(claimed)).payload).toEqual(payload);
    await claimCheck.close();
    await other.close();
  });

  it("a put of an object older than refreshAfterMs copies it onto itself (its lifecycle age restarts)", async () => {
    const store = await createS3ClaimStore({ bucket, endpoint: proxyUrl, credentials, refreshAfterMs: 0 });
    const body = Buffer.from('{"again":true}');
    const key = createHash("sha256").update(body).digest("hex");
    await store.put(key, body, "application/json");
    seen.length = 0;
    await store.put(key, body, "application/json");
    const put = `PUT /${bucket}/asya-claims/${key}?x-id=PutObject`;
    expect(seen).toEqual(
      conditionalPuts
        ? [put, `HEAD /${bucket}/asya-claims/${key}`, `PUT /${bucket}/asya-claims/${key}?x-id=CopyObject`]
        : [put],
    );
    const raw = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: `asya-claims/${key}` }));
    expect(await raw.Body?.transformToString()).toBe('{"again":true}');
    await store.close?.();
  });

  it("a missing object is NOT_FOUND, a larger one CORRUPT before it is read, another bucket FOREIGN_URI (never fetched)", async () => {
    const store = await createS3ClaimStore({ bucket, endpoint: proxyUrl, credentials });
    const key = "f".repeat(64);
    expect((await rejection(store.get(key, 10))).code).toBe("NOT_FOUND");
    await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: `asya-claims/${key}`, Body: "x".repeat(100) }),
    );
    const tooBig = await rejection(store.get(key, 10));
    expect({ code: tooBig.code, retryable: tooBig.retryable }).toEqual({ code: "CORRUPT", retryable: true });
    expect(store.keyOf(`s3://${bucket}/asya-claims/${key}`)).toBe(key);
    expect(store.keyOf(`s3://${bucket}-other/asya-claims/${key}`)).toBeUndefined();
    expect(store.keyOf(`s3://${bucket}/elsewhere/${key}`)).toBeUndefined();
    seen.length = 0;
    const claimCheck = createClaimCheck({ store });
    const foreign = createEnvelope({
      id: "s3-2",
      route: ["a"],
      payload: null,
      headers: {
        [HEADER_CLAIM]: {
          uri: `s3://${bucket}-other/asya-claims/${key}`,
          bytes: 100,
          sha256: key,
          content_type: "application/json",
        },
      },
    });
    expect((await rejection(claimCheck.resolve(foreign))).code).toBe("FOREIGN_URI");
    expect(seen).toEqual([]);
    await claimCheck.close();
  });

  it("a missing bucket is INVALID_CONFIG; no S3 answer is UNAVAILABLE (retryable)", async () => {
    const missing = await createS3ClaimStore({ bucket: `${bucket}-missing`, endpoint, credentials });
    const error = await rejection(missing.put("a".repeat(64), new Uint8Array(3), "application/json"));
    expect({ code: error.code, field: error.field }).toEqual({ code: "INVALID_CONFIG", field: "bucket" });
    await missing.close?.();
    const down = await createS3ClaimStore({ bucket, endpoint: "http://127.0.0.1:1", credentials });
    const unavailable = await rejection(down.get("a".repeat(64), 3));
    expect({ code: unavailable.code, retryable: unavailable.retryable }).toEqual({
      code: "UNAVAILABLE",
      retryable: true,
    });
    await down.close?.();
  });
});
