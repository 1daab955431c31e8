import type { S3Client } from "@aws-sdk/client-s3";
import { ClaimCheckError } from "./claim-check-error.js";
import type { ClaimStore } from "./claim-store.js";
import { keyAfter, normalizePrefix } from "./internal/keys.js";
import { loadS3Sdk } from "./internal/load-s3-sdk.js";
import { recentKeys } from "./internal/recent-keys.js";
import { classifyS3Error, isS3NotFound, isS3Status } from "./internal/s3-errors.js";

/** Options of {@link createS3ClaimStore}. */
export interface S3ClaimStoreOptions {
  /** The bucket (it must exist; give it a lifecycle rule: no actor deletes claims). */
  readonly bucket: string;
  /** Key prefix of the objects. @default "asya-claims" */
  readonly prefix?: string;
  /** An S3-compatible endpoint (moto, MinIO, LocalStack); path-style addressing is used with it. */
  readonly endpoint?: string;
  /** @default "us-east-1" */
  readonly region?: string;
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
  /** Per-request time limit. @default 120000 */
  readonly requestTimeoutMs?: number;
  /**
   * A put of an object that is there already and older than this copies it onto itself, so the
   * bucket's lifecycle rule (which counts from the last write) does not expire a payload a new
   * envelope points at. @default 86400000 (one day)
   */
  readonly refreshAfterMs?: number;
}

interface Readable {
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  destroy?(): void;
}

/**
 * Claims as S3 objects `<prefix>/<sha256>` in `bucket`, URIs `s3://<bucket>/<prefix>/<sha256>`. A
 * put writes only if the object is absent (`If-None-Match: *`; content-addressed: same key, same
 * bytes), refreshes an old one that is there, and is skipped for keys this process stored lately; a
 * get streams the body into one buffer of the object's size.
 */
export async function createS3ClaimStore(options: S3ClaimStoreOptions): Promise<ClaimStore> {
  const { bucket } = options;
  if (typeof bucket !== "string" || !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket)) {
    throw new ClaimCheckError(
      `bucket ${JSON.stringify(bucket)} is not an S3 bucket name (ASYA_CLAIM_CHECK_BUCKET)`,
      {
        code: "INVALID_CONFIG",
        field: "bucket",
      },
    );
  }
  const sdk = await loadS3Sdk();
  const client: S3Client = new sdk.S3Client({
    region: options.region ?? "us-east-1",
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 120_000 },
  });
  const prefix = normalizePrefix(options.prefix ?? "asya-claims");
  const refreshAfterMs = options.refreshAfterMs ?? 86_400_000;
  const recent = recentKeys(refreshAfterMs);
  const objectKey = (key: string) => (prefix === "" ? key : `${prefix}/${key}`);
  const baseUri = `s3://${bucket}/${prefix === "" ? "" : `${prefix}/`}`;
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw classifyS3Error(error, bucket);
    }
  };
  return {
    kind: "s3",
    uriOf: (key) => `${baseUri}${key}`,
    keyOf: (uri) => keyAfter(uri, baseUri),
    async put(key, body, contentType) {
      // Stored (or refreshed) by this process lately: there, and young (identical fan-out
      // children, retries).
      if (recent.fresh(key)) return;
      const Key = objectKey(key);
      // One round trip for a new object: written only if absent (a 412 says it is there).
      const created = await send(async () => {
        try {
          await client.send(
            new sdk.PutObjectCommand({
              Bucket: bucket,
              Key,
              Body: body,
              ContentLength: body.byteLength,
              ContentType: contentType,
              IfNoneMatch: "*",
            }),
          );
          return true;
        } catch (error) {
          if (isS3Status(error, 412) || isS3Status(error, 409)) return false;
          throw error;
        }
      });
      if (!created) {
        // Content-addressed: the same bytes are there. A copy onto itself restarts an old one's
        // lifecycle age, so it outlives the envelope that points at it now.
        const existing = await send(() => client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key })));
        const ageMs = Date.now() - (existing.LastModified?.getTime() ?? Date.now());
        if (ageMs >= refreshAfterMs) {
          await send(() =>
            client.send(
              new sdk.CopyObjectCommand({
                Bucket: bucket,
                Key,
                CopySource: `${bucket}/${Key}`,
                MetadataDirective: "REPLACE",
                ContentType: contentType,
              }),
            ),
          );
        }
      }
      recent.remember(key);
    },
    async get(key, maxBytes) {
      const Key = objectKey(key);
      const uri = `${baseUri}${key}`;
      const out = await send(async () => {
        try {
          return await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key }));
        } catch (error) {
          if (isS3NotFound(error)) {
            throw new ClaimCheckError(`${uri} does not exist`, { code: "NOT_FOUND", cause: error });
          }
          throw error;
        }
      });
      const stream = out.Body as unknown as Readable | undefined;
      const size = out.ContentLength ?? 0;
      if (size > maxBytes) {
        stream?.destroy?.();
        throw new ClaimCheckError(`${uri} has ${size} bytes, the claim says ${maxBytes}`, {
          code: "CORRUPT",
          field: "bytes",
        });
      }
      const body = Buffer.allocUnsafe(size);
      let offset = 0;
      try {
        for await (const chunk of stream ?? []) {
          if (offset + chunk.byteLength > size) {
            stream?.destroy?.();
            throw new ClaimCheckError(`${uri} sent more than its ${size} bytes`, {
              code: "CORRUPT",
              field: "bytes",
            });
          }
          body.set(chunk, offset);
          offset += chunk.byteLength;
        }
      } catch (error) {
        if (error instanceof ClaimCheckError) throw error;
        throw new ClaimCheckError(`reading ${uri} failed: ${String(error)}`, {
          code: "UNAVAILABLE",
          cause: error,
        });
      }
      return offset === size ? body : body.subarray(0, offset);
    },
    async close() {
      client.destroy();
    },
  };
}
