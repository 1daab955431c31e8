import { randomBytes } from "node:crypto";
import { createS3StateStore } from "@asya/state";
import { describeStateStoreConformance } from "@asya/state/testing";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

// moto of this run (test/setup/moto.ts) serves S3 too; a bucket of this file's own, deleted at the end.
const endpoint = inject("sqsEndpoint") || process.env.ASYA_TEST_SQS_ENDPOINT || "";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const bucket = `asya-state-test-${randomBytes(4).toString("hex")}`;
const admin = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials });
const options = { bucket, endpoint, credentials, prefix: "state/" };

beforeAll(() => admin.send(new CreateBucketCommand({ Bucket: bucket })));
afterAll(async () => {
  let token: string | undefined;
  do {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }));
    if (objects.length > 0)
      await admin.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
    token = page.NextContinuationToken;
  } while (token !== undefined);
  await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
  admin.destroy();
});

// Every S3 call is an HTTP round trip to moto (listByPrefix adds a HEAD per key): under the whole
// suite's load CI saw the expiry case's six writes take over 3 s, so its TTL is 8 s (and its waits
// scaled by 3).
describeStateStoreConformance("s3", {
  create: () => createS3StateStore(options),
  shortTtlMs: 8_000,
  timeScale: 3,
});

it("writes one JSON object per key under the prefix, its expiry also in metadata", async () => {
  const store = await createS3StateStore(options);
  try {
    await store.put("raw/a b", { v: "é" }, { ttlMs: 60_000 });
    const name = "state/raw%2Fa%20b";
    const object = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: name }));
    const body = JSON.parse(await object.Body!.transformToString()) as Record<string, unknown>;
    expect(body).toMatchObject({ key: "raw/a b", value: { v: "é" } });
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: name }));
    expect(head.Metadata?.["expires-at"]).toBe(body.expires_at);
    expect(Date.parse(String(body.expires_at)) - Date.now()).toBeGreaterThan(50_000);
  } finally {
    await store.close();
  }
});

it("a missing bucket is INVALID_CONFIG naming the bucket", async () => {
  const store = await createS3StateStore({ ...options, bucket: `${bucket}-missing` });
  try {
    expect(await store.ready()).toBe(false);
    await expect(store.put("k", 1)).rejects.toMatchObject({ code: "INVALID_CONFIG", field: "bucket" });
  } finally {
    await store.close();
  }
});

it("the emulator enforces the conditional writes putIfAbsent relies on (If-None-Match, If-Match)", async () => {
  const put = (extra: object) =>
    admin.send(new PutObjectCommand({ Bucket: bucket, Key: "conditional", Body: "x", ...extra }));
  const first = await put({ IfNoneMatch: "*" });
  await expect(put({ IfNoneMatch: "*" })).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  await expect(put({ IfMatch: '"0123456789abcdef0123456789abcdef"' })).rejects.toMatchObject({
    $metadata: { httpStatusCode: 412 },
  });
  const changed = await put({ IfMatch: first.ETag, Body: "y" });
  expect(changed.ETag).not.toBe(first.ETag);
  // A second writer holding the old ETag loses: that is what makes re-creating an expired key safe.
  await expect(put({ IfMatch: first.ETag, Body: "z" })).rejects.toMatchObject({
    $metadata: { httpStatusCode: 412 },
  });
});
