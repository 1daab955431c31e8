import { z } from "zod";
import { httpUrl } from "./internal/primitives.js";

/**
 * The variables `asya run` reads its claim-check from (`claimCheckFromEnv` in `@asya/claim-check`),
 * by `claimCheck` field.
 */
export const CLAIM_CHECK_ENV = {
  store: "ASYA_CLAIM_CHECK_STORE",
  bucket: "ASYA_CLAIM_CHECK_BUCKET",
  prefix: "ASYA_CLAIM_CHECK_PREFIX",
  dir: "ASYA_CLAIM_CHECK_DIR",
  s3Endpoint: "ASYA_CLAIM_CHECK_S3_ENDPOINT",
  thresholdBytes: "ASYA_CLAIM_CHECK_THRESHOLD_BYTES",
  gzip: "ASYA_CLAIM_CHECK_GZIP",
} as const;

const absolutePath = z.string().regex(/^\//, { error: "must be an absolute path" });

/**
 * Claim-check of large payloads (GATEWAY section 7): outputs whose envelope would exceed
 * `thresholdBytes` are stored as `<prefix>/<sha256>` in the store and sent as an `x-asya-claim`.
 * Cleanup is the bucket's lifecycle rule only (no actor deletes a claim: objects are shared).
 */
export const claimCheckSchema = z
  .strictObject({
    store: z
      .enum(["s3", "file"], {
        error:
          "must be s3 or file (for GCS use s3 with s3Endpoint https://storage.googleapis.com and HMAC keys)",
      })
      .describe("ASYA_CLAIM_CHECK_STORE: s3 (bucket required) or file (dir required)."),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, {
        error: "must be a bucket name: lowercase letters, digits, '.', '-' (and '_' on GCS), 3 or more",
      })
      .optional()
      .describe("ASYA_CLAIM_CHECK_BUCKET: the bucket of the s3 store (required for s3)."),
    prefix: z
      .string()
      .regex(/^[^/\s](?:[^\s]*[^/\s])?$/, {
        error:
          "must be a key prefix such as asya-claims or team/claims (no spaces, no leading or trailing '/')",
      })
      .optional()
      .describe(
        "ASYA_CLAIM_CHECK_PREFIX (runtime default asya-claims): objects are <prefix>/<sha256>; the lifecycle rule's prefix.",
      ),
    dir: absolutePath
      .optional()
      .describe(
        "ASYA_CLAIM_CHECK_DIR: the file store's directory (required for file), on a ReadWriteMany volume in volumeMounts.",
      ),
    s3Endpoint: httpUrl
      .optional()
      .describe("ASYA_CLAIM_CHECK_S3_ENDPOINT: a custom S3 endpoint (MinIO, moto, GCS); path-style."),
    thresholdBytes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "ASYA_CLAIM_CHECK_THRESHOLD_BYTES; default 80% of the smaller of the transport's and ASYA_MAX_MESSAGE_BYTES' limits.",
      ),
    gzip: z.boolean().optional().describe("ASYA_CLAIM_CHECK_GZIP: gzip the stored payload JSON."),
  })
  .meta({
    "x-kubernetes-validations": [
      { rule: "self.store != 's3' || has(self.bucket)", message: "bucket is required for store s3" },
      { rule: "self.store != 'file' || has(self.dir)", message: "dir is required for store file" },
      {
        rule: "self.store == 's3' || (!has(self.bucket) && !has(self.s3Endpoint))",
        message: "bucket and s3Endpoint are for store s3",
      },
      { rule: "self.store == 'file' || !has(self.dir)", message: "dir is for store file" },
    ],
  })
  .superRefine((value, ctx) => {
    const required = (field: "bucket" | "dir", why: string) => {
      if (value[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: why });
    };
    const notAllowed = (field: "bucket" | "dir" | "s3Endpoint") => {
      if (value[field] !== undefined) {
        ctx.addIssue({ code: "custom", path: [field], message: `not allowed when store is ${value.store}` });
      }
    };
    if (value.store === "s3") {
      required("bucket", "required when store is s3 (the bucket holding the claims)");
      notAllowed("dir");
    } else {
      required(
        "dir",
        "required when store is file (a directory on a ReadWriteMany volume every actor reading the claims mounts)",
      );
      notAllowed("bucket");
      notAllowed("s3Endpoint");
    }
  });

/** `claimCheck` of an AsyncActor. */
export type ClaimCheckSpec = z.output<typeof claimCheckSchema>;

/** Whether `dir` is `mountPath` or below it. */
export function isUnderMount(dir: string, mountPath: string): boolean {
  const base = mountPath.replace(/\/+$/, "");
  const path = dir.replace(/\/+$/, "");
  return base === "" || path === base || path.startsWith(`${base}/`);
}
