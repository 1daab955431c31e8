import { HEADER_CLAIM } from "@asya/envelope";
import { ClaimCheckError } from "./claim-check-error.js";

/** The `x-asya-claim` header: where the payload is and what it must be (GATEWAY.md section 7). */
export interface Claim {
  /** `s3://<bucket>/<prefix>/<sha256>`, `file://<dir>/<prefix>/<sha256>` or `gs://...`. */
  readonly uri: string;
  /** Size of the stored object in bytes. */
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the stored object. */
  readonly sha256: string;
  /** `application/json`, or `application/json+gzip` when the object is gzip of the payload's JSON. */
  readonly content_type: string;
}

export const CONTENT_JSON = "application/json";
export const CONTENT_JSON_GZIP = "application/json+gzip";

const SHA256 = /^[0-9a-f]{64}$/;

/** Whether the headers carry a claim (of any shape: {@link parseClaim} checks it). */
export function hasClaim(headers: Readonly<Record<string, unknown>> | undefined): boolean {
  return headers !== undefined && Object.hasOwn(headers, HEADER_CLAIM);
}

/** The claim of a header value. @throws ClaimCheckError `INVALID_CLAIM` naming the bad field. */
export function parseClaim(value: unknown): Claim {
  const invalid = (field: string, what: string) =>
    new ClaimCheckError(`${HEADER_CLAIM}.${field} ${what}`, { code: "INVALID_CLAIM", field });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ClaimCheckError(`${HEADER_CLAIM} must be an object {uri, bytes, sha256, content_type}`, {
      code: "INVALID_CLAIM",
      field: HEADER_CLAIM,
    });
  }
  const claim = value as Record<string, unknown>;
  if (typeof claim.uri !== "string" || claim.uri.length === 0)
    throw invalid("uri", "must be a non-empty string");
  if (typeof claim.bytes !== "number" || !Number.isSafeInteger(claim.bytes) || claim.bytes < 0)
    throw invalid("bytes", "must be a non-negative integer");
  if (typeof claim.sha256 !== "string" || !SHA256.test(claim.sha256))
    throw invalid("sha256", "must be 64 lower-case hex digits");
  if (claim.content_type !== CONTENT_JSON && claim.content_type !== CONTENT_JSON_GZIP)
    throw invalid("content_type", `must be "${CONTENT_JSON}" or "${CONTENT_JSON_GZIP}"`);
  return { uri: claim.uri, bytes: claim.bytes, sha256: claim.sha256, content_type: claim.content_type };
}
