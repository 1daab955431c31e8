// Claim-check for Asya envelopes (GATEWAY.md section 7): an envelope too large for its broker
// travels with `payload: null` and an `x-asya-claim` header naming the payload's object.
export { type Claim, CONTENT_JSON, CONTENT_JSON_GZIP, hasClaim, parseClaim } from "./claim.js";
export {
  type ClaimCheck,
  type ClaimCheckOptions,
  createClaimCheck,
  DEFAULT_THRESHOLD_SHARE,
  resolveClaim,
} from "./claim-check.js";
export { ClaimCheckError, type ClaimCheckErrorCode } from "./claim-check-error.js";
export { CLAIM_CHECK_ENV, claimCheckFromEnv } from "./claim-check-from-env.js";
export type { ClaimStore } from "./claim-store.js";
export { createFileClaimStore, type FileClaimStoreOptions } from "./file-claim-store.js";
export { createS3ClaimStore, type S3ClaimStoreOptions } from "./s3-claim-store.js";
