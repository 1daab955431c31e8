import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { createClosedGate } from "./internal/closed-gate.js";
import { entryJson, expiresAtIso, expiresAtMsOf, isLive, parseEntry } from "./internal/entry-json.js";
import { encodeValue } from "./internal/json-value.js";
import { checkUtf8Key } from "./internal/key-codec.js";
import { loadOptional } from "./internal/load-optional.js";
import { parseOptions } from "./internal/parse-options.js";
import { s3KeyNames } from "./internal/s3-keys.js";
import { classifyS3Error, isS3Status } from "./s3-errors.js";
import { checkLimit, checkTtl, StateStoreError } from "./state-error.js";
import type { JsonValue, PutOptions, StateStore } from "./state-store.js";

const positiveInt = z.number().int().positive();

/** zod schema of {@link S3StateStoreOptions} (validated once in the factory). */
export const s3StateStoreOptionsSchema = z.strictObject({
  /** The bucket (it must exist: the store does not create it). */
  bucket: z.string().min(1, "is required"),
  /** Prepended (as is) to every object key, e.g. `asya/state/`. At most 512 bytes. @default "" */
  prefix: z
    .string()
    .refine((prefix) => Buffer.byteLength(prefix, "utf8") <= 512, "must be at most 512 bytes")
    .default(""),
  /** An S3-compatible endpoint (MinIO, moto, LocalStack); path-style addressing is used with it. */
  endpoint: z.url().optional(),
  /** @default "us-east-1" */
  region: z.string().min(1).default("us-east-1"),
  /** Static credentials; without them the SDK's default chain (env, profile, role) applies. */
  credentials: z
    // Not strict: the SDK marks credentials objects it was given with extra fields (`$source`).
    .object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string().optional() })
    .optional(),
  /** Timeout of opening a connection. @default 5000 */
  connectTimeoutMs: positiveInt.default(5_000),
  /** Timeout of one request (each of the SDK's up to 3 attempts). @default 10000 */
  requestTimeoutMs: positiveInt.default(10_000),
});

/** Options of {@link createS3StateStore}. */
export type S3StateStoreOptions = z.input<typeof s3StateStoreOptionsSchema>;

/** What `HEAD` says of an object: its ETag and expiry (metadata `expires-at`). */
interface Head {
  readonly etag: string;
  readonly expiresAtMs: number;
}

/**
 * A store in an S3 bucket: one object per key (JSON `{ key, expires_at, value }`, the expiry also
 * in metadata `x-amz-meta-expires-at`). `putIfAbsent` is a conditional PutObject (`If-None-Match:
 * *`); an expired object is replaced with `If-Match` on its ETag, so of concurrent re-creations one
 * wins. Atomic across all clients of the bucket, as far as S3's conditional writes are. Expiry uses
 * the writer's and reader's clocks (keep them in sync); expired objects stay in the bucket until
 * written again or deleted. `listByPrefix` costs one `HEAD` per listed key. Needs `@aws-sdk/client-s3`.
 *
 * @throws StateStoreError `INVALID_CONFIG` for bad options, `MISSING_DEPENDENCY` without the SDK.
 * @example
 * ```ts
 * const store = await createS3StateStore({ bucket: "my-mesh-state", prefix: "asya/" });
 * await store.put("checkpoint/task-1", { step: 3 });
 * ```
 */
export async function createS3StateStore(options: S3StateStoreOptions): Promise<StateStore> {
  const config = parseOptions(s3StateStoreOptionsSchema, options, "s3 store");
  const sdk = await loadOptional("@aws-sdk/client-s3", () => import("@aws-sdk/client-s3"));
  const { bucket, endpoint, credentials } = config;
  const client: S3Client = new sdk.S3Client({
    region: config.region,
    ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
    ...(credentials === undefined ? {} : { credentials: withoutUndefined(credentials) }),
    requestHandler: { connectionTimeout: config.connectTimeoutMs, requestTimeout: config.requestTimeoutMs },
  });
  const names = s3KeyNames(config.prefix);
  const gate = createClosedGate("s3");
  const send = async <T>(body: () => Promise<T>): Promise<T> => {
    gate.check();
    try {
      return await body();
    } catch (error) {
      throw classifyS3Error(error, bucket);
    }
  };
  const objectKey = (key: string) => {
    gate.check();
    checkUtf8Key(key);
    return names.objectKey(key);
  };
  /** The object's ETag and expiry, or `undefined` when there is none. */
  const head = async (name: string): Promise<Head | undefined> => {
    try {
      const out = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: name }));
      return { etag: out.ETag ?? "", expiresAtMs: expiresAtMsOf(out.Metadata?.["expires-at"]) };
    } catch (error) {
      if (isS3Status(error, 404)) return undefined;
      throw error;
    }
  };
  const read = async (name: string) => {
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: name }));
      const text = (await out.Body?.transformToString("utf8")) ?? "";
      try {
        return parseEntry(text);
      } catch (error) {
        throw new StateStoreError(`s3 object ${name} in ${bucket} is not a state entry`, {
          code: "BACKEND_ERROR",
          cause: error,
        });
      }
    } catch (error) {
      if (isS3Status(error, 404)) return undefined;
      throw error;
    }
  };
  const putObject = (name: string, key: string, value: JsonValue, opts: PutOptions | undefined) => {
    checkTtl(opts?.ttlMs);
    // One instant for the body and the metadata: both say the same expiry.
    const expiresAt = expiresAtIso(opts?.ttlMs);
    const body = entryJson(key, encodeValue(value), opts?.ttlMs, expiresAt);
    return (condition: { IfNoneMatch: "*" } | { IfMatch: string } | object) =>
      client.send(
        new sdk.PutObjectCommand({
          Bucket: bucket,
          Key: name,
          Body: body,
          ContentType: "application/json",
          ...(expiresAt === null ? {} : { Metadata: { "expires-at": expiresAt } }),
          ...condition,
        }),
      );
  };

  return {
    kind: "s3",
    async get(key) {
      const name = objectKey(key);
      const entry = await send(() => read(name));
      return isLive(entry) ? entry.value : undefined;
    },
    async putIfAbsent(key, value, opts) {
      const name = objectKey(key);
      const write = putObject(name, key, value, opts);
      return send(async () => {
        for (let attempt = 0; attempt < 8; attempt++) {
          try {
            await write({ IfNoneMatch: "*" });
            return true;
          } catch (error) {
            // 412: the object exists. 409: another conditional write to it is in flight (AWS).
            if (!isS3Status(error, 412) && !isS3Status(error, 409)) throw error;
          }
          const current = await head(name);
          if (current === undefined) continue; // deleted meanwhile: try creating it again
          if (current.expiresAtMs > Date.now()) return false;
          // An empty If-Match would make the write unconditional.
          if (current.etag === "")
            throw new StateStoreError(`s3 object ${name} has no ETag`, { code: "BACKEND_ERROR" });
          try {
            // Replace exactly the expired version: a concurrent re-creation changes the ETag.
            await write({ IfMatch: current.etag });
            return true;
          } catch (error) {
            // 412: someone else re-created it (look again); 404: it was deleted (create it).
            if (!isS3Status(error, 412) && !isS3Status(error, 409) && !isS3Status(error, 404)) throw error;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * (attempt + 1)));
        }
        throw new StateStoreError(`s3 object ${name} in ${bucket}: too many concurrent writes`, {
          code: "UNAVAILABLE",
        });
      });
    },
    async put(key, value, opts) {
      const name = objectKey(key);
      const write = putObject(name, key, value, opts);
      await send(() => write({}));
    },
    async delete(key) {
      const name = objectKey(key);
      await send(() => client.send(new sdk.DeleteObjectCommand({ Bucket: bucket, Key: name })));
    },
    async listByPrefix(keyPrefix, opts) {
      gate.check();
      checkLimit(opts?.limit);
      const limit = opts?.limit ?? 10_000;
      const candidates = new Map<string, string>(); // key -> object key, liveness unknown
      const known: string[] = []; // keys of hashed objects, read (and found live) already
      await send(async () => {
        let token: string | undefined;
        do {
          const page = await client.send(
            new sdk.ListObjectsV2Command({
              Bucket: bucket,
              Prefix: names.listPrefix(keyPrefix),
              ...(token === undefined ? {} : { ContinuationToken: token }),
            }),
          );
          for (const { Key: name } of page.Contents ?? []) {
            const key = name === undefined ? undefined : names.keyOf(name);
            if (key === "hashed") {
              const entry = await read(name!);
              if (isLive(entry) && entry.key.startsWith(keyPrefix)) known.push(entry.key);
            } else if (key?.startsWith(keyPrefix)) {
              candidates.set(key, name!);
            }
          }
          token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
        } while (token !== undefined);
      });
      // In key order, HEAD (for the expiry) only as many as needed to fill `limit`.
      const ordered = [...candidates.keys(), ...known].sort();
      const live: string[] = [];
      const knownLive = new Set(known);
      for (let at = 0; at < ordered.length && live.length < limit; at += 16) {
        const batch = ordered.slice(at, at + 16);
        const heads = await send(() =>
          Promise.all(batch.map((key) => (knownLive.has(key) ? "live" : head(candidates.get(key)!)))),
        );
        batch.forEach((key, index) => {
          const found = heads[index];
          if (found === "live" || (found !== undefined && found.expiresAtMs > Date.now())) live.push(key);
        });
      }
      return live.slice(0, limit);
    },
    async ready() {
      if (gate.closed) return false;
      try {
        await client.send(new sdk.HeadBucketCommand({ Bucket: bucket }));
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (gate.close()) client.destroy();
    },
  };
}

function withoutUndefined(credentials: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}) {
  const { sessionToken, ...rest } = credentials;
  return sessionToken === undefined ? rest : { ...rest, sessionToken };
}
