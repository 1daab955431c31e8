import { createHash, randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { gunzip as gunzipCallback, gzip as gzipCallback } from "node:zlib";
import {
  checkJsonText,
  type Envelope,
  encodeEnvelope,
  HEADER_CLAIM,
  parseJsonValue,
  serializeEnvelope,
  serializeJsonValue,
  utf8ByteLength,
} from "@asya/envelope";
import { type Claim, CONTENT_JSON, CONTENT_JSON_GZIP, hasClaim, parseClaim } from "./claim.js";
import { ClaimCheckError } from "./claim-check-error.js";
import type { ClaimStore } from "./claim-store.js";

const gzip = promisify(gzipCallback);
const gunzip = promisify(gunzipCallback);

/** Options of {@link createClaimCheck}. */
export interface ClaimCheckOptions {
  readonly store: ClaimStore;
  /**
   * Envelopes whose encoding is larger are claim-checked. By default 80% of the smaller of the
   * transport's `maxMessageBytes` and the receiving limit (`ASYA_MAX_MESSAGE_BYTES`), so receivers
   * never refuse what senders send.
   */
  readonly thresholdBytes?: number;
  /** Store gzip of the payload's JSON (`content_type: application/json+gzip`). @default false */
  readonly gzip?: boolean;
}

/** Stores and resolves claim-checked payloads (GATEWAY.md section 7); one per actor process. */
export interface ClaimCheck {
  readonly store: ClaimStore;
  /** The threshold for limits (0 or non-finite: no limit): the configured one, else 80% of the smallest. */
  thresholdBytes(...limitsBytes: readonly number[]): number;
  /**
   * The envelope with its payload stored under its SHA-256: `payload: null` and the
   * `x-asya-claim` header; route, status and other headers untouched.
   * @throws ClaimCheckError when the store refuses or does not answer; EnvelopeError for a payload
   *   that cannot be JSON (as `encodeEnvelope`).
   */
  offload(envelope: Envelope): Promise<Envelope>;
  /**
   * The bytes to publish for `envelope` on a transport whose limits are `limitsBytes`: its
   * encoding when within {@link ClaimCheck.thresholdBytes}, else the encoding of its claim-checked
   * form. The payload is serialized once either way (never the whole envelope just to measure it).
   * @throws ClaimCheckError when the store refuses or does not answer; EnvelopeError as
   *   `encodeEnvelope` for what cannot be encoded.
   */
  encodeForWire(envelope: Envelope, limitsBytes: readonly number[]): Promise<Uint8Array>;
  /**
   * The envelope with its claim resolved (payload read and verified, header dropped); the same
   * object when it has no claim.
   * @throws ClaimCheckError `INVALID_CLAIM`, `FOREIGN_URI` (not retryable), `NOT_FOUND`,
   *   `CORRUPT`, `UNAVAILABLE` (retryable).
   */
  resolve(envelope: Envelope): Promise<Envelope>;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
/** Stands in for the payload while the rest of an envelope is serialized (unique per process). */
const PLACEHOLDER = `asya-claim-check-payload-${randomBytes(12).toString("hex")}`;
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

/** The share of the smallest limit an envelope may use before it is claim-checked. */
export const DEFAULT_THRESHOLD_SHARE = 0.8;

/**
 * A claim-check over `store`.
 *
 * @example
 * const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir: "/data/claims" }) });
 * const actor = createActor({ transport, handler, claimCheck });
 */
export function createClaimCheck(options: ClaimCheckOptions): ClaimCheck {
  const { store } = options;
  const configured = options.thresholdBytes;
  if (configured !== undefined && (!Number.isSafeInteger(configured) || configured <= 0)) {
    throw new ClaimCheckError(`thresholdBytes must be a positive integer, got ${configured}`, {
      code: "INVALID_CONFIG",
      field: "thresholdBytes",
    });
  }
  /** `envelope` with `payloadText` stored: payload null, the claim header set. */
  const claimed = async (envelope: Envelope, payloadText: string): Promise<Envelope> => {
    const json = Buffer.from(payloadText, "utf8");
    const body = options.gzip === true ? await gzip(json) : json;
    const sha256 = createHash("sha256").update(body).digest("hex");
    const contentType = options.gzip === true ? CONTENT_JSON_GZIP : CONTENT_JSON;
    await store.put(sha256, body, contentType);
    const claim: Claim = {
      uri: store.uriOf(sha256),
      bytes: body.byteLength,
      sha256,
      content_type: contentType,
    };
    return { ...envelope, payload: null, headers: { ...envelope.headers, [HEADER_CLAIM]: claim } };
  };
  const thresholdBytes = (...limitsBytes: readonly number[]): number => {
    if (configured !== undefined) return configured;
    const limits = limitsBytes.filter((limit) => Number.isFinite(limit) && limit > 0);
    return limits.length === 0
      ? Number.POSITIVE_INFINITY
      : Math.floor(DEFAULT_THRESHOLD_SHARE * Math.min(...limits));
  };
  return {
    store,
    thresholdBytes,
    async offload(envelope) {
      return claimed(envelope, serializeJsonValue(envelope.payload ?? null));
    },
    async encodeForWire(envelope, limitsBytes) {
      const payload = envelope.payload ?? null;
      let payloadText: string | undefined;
      try {
        payloadText = JSON.stringify(payload);
      } catch {
        // BigInt, a cycle: the codec's own error, naming the problem.
      }
      if (payloadText === undefined) payloadText = serializeJsonValue(payload);
      // The envelope around a placeholder (small), then the payload spliced in where it stood:
      // the same text as encodeEnvelope(envelope), measured without building it.
      const around = serializeEnvelope({ ...envelope, payload: PLACEHOLDER });
      const at = around.lastIndexOf(PLACEHOLDER_JSON);
      const sizeBytes = utf8ByteLength(around) - PLACEHOLDER_JSON.length + utf8ByteLength(payloadText);
      if (sizeBytes <= thresholdBytes(...limitsBytes)) {
        checkJsonText(payload, payloadText);
        return encoder.encode(around.slice(0, at) + payloadText + around.slice(at + PLACEHOLDER_JSON.length));
      }
      // A claimed payload is checked where it is read (resolve refuses it as an inline one would
      // be refused), not walked twice.
      return encodeEnvelope(await claimed(envelope, payloadText));
    },
    async resolve(envelope) {
      if (!hasClaim(envelope.headers)) return envelope;
      const claim = parseClaim(envelope.headers?.[HEADER_CLAIM]);
      if (envelope.payload !== null && envelope.payload !== undefined) {
        throw new ClaimCheckError(`envelope ${envelope.id} has both ${HEADER_CLAIM} and a payload`, {
          code: "INVALID_CLAIM",
          field: "payload",
        });
      }
      const key = store.keyOf(claim.uri);
      if (key === undefined) {
        throw new ClaimCheckError(
          `${HEADER_CLAIM}.uri ${JSON.stringify(claim.uri.slice(0, 200))} is outside the ${store.kind} store (${store.uriOf("")}): not fetched`,
          { code: "FOREIGN_URI", field: "uri" },
        );
      }
      if (key !== claim.sha256) {
        throw new ClaimCheckError(`${HEADER_CLAIM}.uri names object ${key}, not its sha256 ${claim.sha256}`, {
          code: "INVALID_CLAIM",
          field: "uri",
        });
      }
      const body = await store.get(key, claim.bytes);
      if (body.byteLength !== claim.bytes) {
        throw new ClaimCheckError(
          `${claim.uri} has ${body.byteLength} bytes, the claim says ${claim.bytes}`,
          {
            code: "CORRUPT",
            field: "bytes",
          },
        );
      }
      const actual = createHash("sha256").update(body).digest("hex");
      if (actual !== claim.sha256) {
        throw new ClaimCheckError(`${claim.uri} has sha256 ${actual}, the claim says ${claim.sha256}`, {
          code: "CORRUPT",
          field: "sha256",
        });
      }
      let json: Uint8Array;
      try {
        json = claim.content_type === CONTENT_JSON_GZIP ? await gunzip(body) : body;
      } catch (error) {
        throw new ClaimCheckError(`${claim.uri} is not gzip`, {
          code: "CORRUPT",
          field: "content_type",
          cause: error,
        });
      }
      let payload: unknown;
      try {
        // Checked as an inline payload is: no forbidden key, no deeper nesting.
        payload = parseJsonValue(json);
      } catch (error) {
        const unsafe = (error as { code?: unknown }).code === "FORBIDDEN_KEY" || /deeper/.test(String(error));
        throw new ClaimCheckError(
          unsafe
            ? `${claim.uri}: the payload is refused as an inline one would be: ${(error as Error).message}`
            : `${claim.uri} is not ${claim.content_type}`,
          { code: unsafe ? "INVALID_CLAIM" : "CORRUPT", field: "payload", cause: error },
        );
      }
      const { [HEADER_CLAIM]: _resolved, ...headers } = envelope.headers ?? {};
      return { ...envelope, payload, headers };
    },
    async close() {
      await store.close?.();
    },
  };
}

/**
 * `envelope` resolved by `claimCheck`; an envelope with a claim and no claim-check is a
 * `NOT_CONFIGURED` error (not retryable), never a silent null payload.
 */
export async function resolveClaim(
  envelope: Envelope,
  claimCheck: ClaimCheck | undefined,
): Promise<Envelope> {
  if (!hasClaim(envelope.headers)) return envelope;
  if (claimCheck === undefined) {
    throw new ClaimCheckError(
      `envelope ${envelope.id} carries ${HEADER_CLAIM} and this actor has no claim-check store (set ASYA_CLAIM_CHECK_STORE)`,
      { code: "NOT_CONFIGURED", field: "ASYA_CLAIM_CHECK_STORE" },
    );
  }
  return claimCheck.resolve(envelope);
}
