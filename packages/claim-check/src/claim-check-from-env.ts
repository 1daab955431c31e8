import { type ClaimCheck, createClaimCheck } from "./claim-check.js";
import { ClaimCheckError } from "./claim-check-error.js";
import { createFileClaimStore } from "./file-claim-store.js";
import { createS3ClaimStore } from "./s3-claim-store.js";

/** The variables {@link claimCheckFromEnv} reads. */
export const CLAIM_CHECK_ENV = [
  "ASYA_CLAIM_CHECK_STORE",
  "ASYA_CLAIM_CHECK_BUCKET",
  "ASYA_CLAIM_CHECK_PREFIX",
  "ASYA_CLAIM_CHECK_DIR",
  "ASYA_CLAIM_CHECK_S3_ENDPOINT",
  "ASYA_CLAIM_CHECK_THRESHOLD_BYTES",
  "ASYA_CLAIM_CHECK_GZIP",
] as const;

/**
 * The claim-check `asya run` configures from `ASYA_CLAIM_CHECK_*`, or `undefined` when
 * `ASYA_CLAIM_CHECK_STORE` is unset: `s3` (`ASYA_CLAIM_CHECK_BUCKET`, optional
 * `ASYA_CLAIM_CHECK_S3_ENDPOINT`, region from `ASYA_AWS_REGION` / `AWS_REGION`) or `file`
 * (`ASYA_CLAIM_CHECK_DIR`); `ASYA_CLAIM_CHECK_PREFIX` (default `asya-claims`),
 * `ASYA_CLAIM_CHECK_THRESHOLD_BYTES`, `ASYA_CLAIM_CHECK_GZIP` (`true` | `false`).
 * @throws ClaimCheckError `INVALID_CONFIG` naming the variable.
 */
export async function claimCheckFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<ClaimCheck | undefined> {
  const read = (name: string) => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const kind = read("ASYA_CLAIM_CHECK_STORE");
  if (kind === undefined) return undefined;
  const invalid = (name: string, what: string) =>
    new ClaimCheckError(`${name} ${what}`, { code: "INVALID_CONFIG", field: name });
  const prefix = read("ASYA_CLAIM_CHECK_PREFIX") ?? "asya-claims";
  const thresholdText = read("ASYA_CLAIM_CHECK_THRESHOLD_BYTES");
  const thresholdBytes = thresholdText === undefined ? undefined : Number(thresholdText);
  if (thresholdBytes !== undefined && (!Number.isSafeInteger(thresholdBytes) || thresholdBytes <= 0)) {
    throw invalid(
      "ASYA_CLAIM_CHECK_THRESHOLD_BYTES",
      `must be a positive integer, got ${JSON.stringify(thresholdText)}`,
    );
  }
  const gzipText = read("ASYA_CLAIM_CHECK_GZIP");
  if (gzipText !== undefined && gzipText !== "true" && gzipText !== "false") {
    throw invalid("ASYA_CLAIM_CHECK_GZIP", `must be true or false, got ${JSON.stringify(gzipText)}`);
  }
  const common = {
    ...(thresholdBytes === undefined ? {} : { thresholdBytes }),
    gzip: gzipText === "true",
  };
  switch (kind) {
    case "s3": {
      const bucket = read("ASYA_CLAIM_CHECK_BUCKET");
      if (bucket === undefined) throw invalid("ASYA_CLAIM_CHECK_BUCKET", "is required for the s3 store");
      const endpoint = read("ASYA_CLAIM_CHECK_S3_ENDPOINT");
      const store = await createS3ClaimStore({
        bucket,
        prefix,
        region: read("ASYA_AWS_REGION") ?? read("AWS_REGION") ?? "us-east-1",
        ...(endpoint === undefined ? {} : { endpoint }),
      });
      return createClaimCheck({ store, ...common });
    }
    case "file": {
      const dir = read("ASYA_CLAIM_CHECK_DIR");
      if (dir === undefined) throw invalid("ASYA_CLAIM_CHECK_DIR", "is required for the file store");
      return createClaimCheck({ store: createFileClaimStore({ dir, prefix }), ...common });
    }
    case "gcs":
      throw invalid(
        "ASYA_CLAIM_CHECK_STORE",
        "gcs is not available yet (no GCS emulator to test it against here): use s3 (GCS's XML API is S3-compatible: ASYA_CLAIM_CHECK_S3_ENDPOINT=https://storage.googleapis.com with HMAC keys) or file",
      );
    default:
      throw invalid("ASYA_CLAIM_CHECK_STORE", `must be s3 or file, got ${JSON.stringify(kind)}`);
  }
}
