import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimCheckFromEnv, createClaimCheck, createFileClaimStore, resolveClaim } from "@asya/claim-check";
import { createEnvelope, type Envelope, encodeEnvelope, HEADER_CLAIM, parseEnvelope } from "@asya/envelope";
import { afterEach, describe, expect, it } from "vitest";
import { rejection } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "asya-claims-"));
  dirs.push(dir);
  return dir;
}

const big = (n: number) => ({ text: "é".repeat(n), n });
const envelopeOf = (payload: unknown, headers: Record<string, unknown> = { trace: "t" }) =>
  createEnvelope({ id: "e-1", route: { prev: ["a"], curr: "b", next: ["c"] }, headers, payload });

describe("createClaimCheck over the file store", () => {
  it("offloads the payload under its sha256 and resolves it back; route, status, headers stay", async () => {
    const dir = tempDir();
    const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir }) });
    const original = envelopeOf(big(50_000));
    const claimed = await claimCheck.offload(original);
    expect(claimed.payload).toBeNull();
    expect(claimed.route).toEqual(original.route);
    expect(claimed.headers?.trace).toBe("t");
    const claim = claimed.headers?.[HEADER_CLAIM] as {
      uri: string;
      bytes: number;
      sha256: string;
      content_type: string;
    };
    const stored = readFileSync(join(dir, "asya-claims", claim.sha256));
    expect(claim).toEqual({
      uri: `file://${join(dir, "asya-claims", claim.sha256)}`,
      bytes: stored.byteLength,
      sha256: createHash("sha256").update(stored).digest("hex"),
      content_type: "application/json",
    });
    expect(JSON.parse(stored.toString("utf8"))).toEqual(original.payload);
    const resolved = await claimCheck.resolve(claimed);
    expect(resolved.payload).toEqual(original.payload);
    expect(resolved.headers).toEqual({ trace: "t" });
    // No claim: the same object back.
    expect(await claimCheck.resolve(original)).toBe(original);
  });

  it("stores identical payloads once (content-addressed) and leaves no temporary files", async () => {
    const dir = tempDir();
    const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir, prefix: "/p/q/" }) });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => claimCheck.offload(envelopeOf(big(10_000)))),
    );
    await claimCheck.offload(envelopeOf(big(10_001)));
    expect(
      new Set(claims.map((c) => (c.headers?.[HEADER_CLAIM] as { uri?: string } | undefined)?.uri)).size,
    ).toBe(1);
    expect(readdirSync(join(dir, "p", "q")).sort()).toHaveLength(2);
  });

  it("a put of a file older than refreshAfterMs touches it, so an mtime-based cleanup keeps it", async () => {
    const dir = tempDir();
    const store = createFileClaimStore({ dir, refreshAfterMs: 60_000 });
    const key = "a".repeat(64);
    await store.put(key, Buffer.from("{}"), "application/json");
    const path = join(dir, "asya-claims", key);
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    await store.put(key, Buffer.from("{}"), "application/json");
    expect(Date.now() - statSync(path).mtimeMs).toBeLessThan(30_000);
    // Younger than refreshAfterMs: left alone.
    const recent = new Date(Date.now() - 10_000);
    utimesSync(path, recent, recent);
    await store.put(key, Buffer.from("{}"), "application/json");
    expect(Math.abs(statSync(path).mtimeMs - recent.getTime())).toBeLessThan(1_000);
  });

  it("gzip: the object is gzip of the JSON and content_type says so", async () => {
    const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir: tempDir() }), gzip: true });
    const original = envelopeOf({ text: "a".repeat(100_000) });
    const claimed = await claimCheck.offload(original);
    const claim = claimed.headers?.[HEADER_CLAIM] as { bytes: number; content_type: string };
    expect(claim.content_type).toBe("application/json+gzip");
    expect(claim.bytes).toBeLessThan(2_000);
    expect((await claimCheck.resolve(claimed)).payload).toEqual(original.payload);
  });

  it("refuses bad claims with typed errors: missing, corrupt, foreign, malformed, claim plus payload", async () => {
    const dir = tempDir();
    const claimCheck = createClaimCheck({ store: createFileClaimStore({ dir }) });
    const claimed = await claimCheck.offload(envelopeOf(big(1_000)));
    const claim = claimed.headers?.[HEADER_CLAIM] as { uri: string; sha256: string; bytes: number };
    const withClaim = (patch: Record<string, unknown>, payload: unknown = null): Envelope => ({
      ...claimed,
      payload,
      headers: { ...claimed.headers, [HEADER_CLAIM]: { ...claim, ...patch } },
    });
    const expectError = async (envelope: Envelope, code: string, retryable: boolean, text: RegExp) => {
      const error = await rejection(claimCheck.resolve(envelope));
      expect(error.name).toBe("ClaimCheckError");
      expect({ code: error.code, retryable: error.retryable }).toEqual({ code, retryable });
      expect(error.message).toMatch(text);
    };
    const missing = "0".repeat(64);
    await expectError(
      withClaim({ uri: claim.uri.replace(claim.sha256, missing), sha256: missing }),
      "NOT_FOUND",
      true,
      /does not exist/,
    );
    await expectError(withClaim({ bytes: claim.bytes - 1 }), "CORRUPT", true, /claim says/);
    await expectError(
      withClaim({ uri: "file:///etc/passwd" }),
      "FOREIGN_URI",
      false,
      /outside the file store/,
    );
    await expectError(withClaim({ uri: `${claim.uri}/../../x` }), "FOREIGN_URI", false, /not fetched/);
    await expectError(
      withClaim({ uri: `s3://other-bucket/asya-claims/${claim.sha256}` }),
      "FOREIGN_URI",
      false,
      /outside/,
    );
    await expectError(withClaim({ sha256: "XYZ" }), "INVALID_CLAIM", false, /sha256/);
    await expectError(withClaim({ content_type: "text/plain" }), "INVALID_CLAIM", false, /content_type/);
    await expectError(withClaim({}, { also: "a payload" }), "INVALID_CLAIM", false, /both/);
    // Tampered content of the right size: sha256 mismatch.
    const path = join(dir, "asya-claims", claim.sha256);
    const bytes = readFileSync(path);
    bytes[bytes.length - 3] = bytes[bytes.length - 3] === 0x41 ? 0x42 : 0x41;
    writeFileSync(path, bytes);
    await expectError(claimed, "CORRUPT", true, /sha256/);
    // A claim and no claim-check configured.
    const unconfigured = await rejection(resolveClaim(claimed, undefined));
    expect(unconfigured.code).toBe("NOT_CONFIGURED");
    expect(unconfigured.message).toMatch(/ASYA_CLAIM_CHECK_STORE/);
  });

  it("encodeForWire: within the threshold, exactly encodeEnvelope's bytes (key order kept); over it, the claim", async () => {
    const claimCheck = createClaimCheck({
      store: createFileClaimStore({ dir: tempDir() }),
      thresholdBytes: 4_000,
    });
    const payloads: unknown[] = [
      null,
      0,
      'text with "payload": quotes',
      { a: [1, { b: "é\u2028" }] },
      [],
      { payload: null },
    ];
    for (const payload of payloads) {
      // payload in the middle of the keys, and a header that looks like one
      const envelope = {
        id: "w-1",
        payload,
        route: { prev: [], curr: "a", next: ["b"] },
        headers: { note: '"payload":null' },
      } as unknown as Envelope;
      expect(Buffer.from(await claimCheck.encodeForWire(envelope, []))).toEqual(
        Buffer.from(encodeEnvelope(envelope)),
      );
    }
    const large = envelopeOf(big(3_000));
    const wire = await claimCheck.encodeForWire(large, [1_000_000]);
    const sent = parseEnvelope(wire);
    expect(sent.payload).toBeNull();
    expect(sent.headers?.[HEADER_CLAIM]).toBeDefined();
    expect(wire.byteLength).toBeLessThan(1_000);
    expect((await claimCheck.resolve(sent)).payload).toEqual(large.payload);
    // What encodeEnvelope refuses, encodeForWire refuses the same way.
    await expect(claimCheck.encodeForWire(envelopeOf({ n: 10n }), [])).rejects.toMatchObject({
      code: "INVALID_JSON",
    });
    const polluted = JSON.parse('{"__proto__":{"x":1}}');
    await expect(
      claimCheck.encodeForWire({ ...envelopeOf(null), payload: polluted }, []),
    ).rejects.toMatchObject({
      code: "FORBIDDEN_KEY",
    });
  });

  it("a stored payload is checked as an inline one: a forbidden key is refused, not handed over", async () => {
    const dir = tempDir();
    const store = createFileClaimStore({ dir });
    const claimCheck = createClaimCheck({ store });
    const body = Buffer.from('{"ok":1,"__proto__":{"polluted":true}}');
    const sha256 = createHash("sha256").update(body).digest("hex");
    await store.put(sha256, body, "application/json");
    const claim = {
      uri: store.uriOf(sha256),
      bytes: body.byteLength,
      sha256,
      content_type: "application/json",
    };
    const error = await rejection(claimCheck.resolve(envelopeOf(null, { [HEADER_CLAIM]: claim })));
    expect({ code: error.code, retryable: error.retryable }).toEqual({
      code: "INVALID_CLAIM",
      retryable: false,
    });
    expect(error.message).toMatch(/forbidden key/);
  });

  it("threshold: the configured one, else 80% of the smallest positive limit", () => {
    const store = createFileClaimStore({ dir: tempDir() });
    expect(createClaimCheck({ store }).thresholdBytes(262_144, 10_485_760)).toBe(209_715);
    expect(createClaimCheck({ store }).thresholdBytes(0, 1_000)).toBe(800);
    expect(createClaimCheck({ store }).thresholdBytes()).toBe(Number.POSITIVE_INFINITY);
    expect(createClaimCheck({ store, thresholdBytes: 5 }).thresholdBytes(1_000)).toBe(5);
    expect(() => createClaimCheck({ store, thresholdBytes: 0 })).toThrow(/positive integer/);
  });
});

describe("claimCheckFromEnv", () => {
  it("is off without ASYA_CLAIM_CHECK_STORE and builds the file store from the env", async () => {
    expect(await claimCheckFromEnv({})).toBeUndefined();
    const dir = tempDir();
    const claimCheck = await claimCheckFromEnv({
      ASYA_CLAIM_CHECK_STORE: "file",
      ASYA_CLAIM_CHECK_DIR: dir,
      ASYA_CLAIM_CHECK_PREFIX: "claims",
      ASYA_CLAIM_CHECK_THRESHOLD_BYTES: "1234",
    });
    expect(claimCheck?.thresholdBytes(10_000_000)).toBe(1234);
    expect(claimCheck?.store.uriOf("k")).toBe(`file://${dir}/claims/k`);
  });

  it("names the variable at fault", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ ASYA_CLAIM_CHECK_STORE: "s3" }, /ASYA_CLAIM_CHECK_BUCKET is required/],
      [{ ASYA_CLAIM_CHECK_STORE: "file" }, /ASYA_CLAIM_CHECK_DIR is required/],
      [{ ASYA_CLAIM_CHECK_STORE: "ftp" }, /ASYA_CLAIM_CHECK_STORE must be s3 or file/],
      [{ ASYA_CLAIM_CHECK_STORE: "gcs" }, /gcs is not available/],
      [
        {
          ASYA_CLAIM_CHECK_STORE: "file",
          ASYA_CLAIM_CHECK_DIR: "/x",
          ASYA_CLAIM_CHECK_THRESHOLD_BYTES: "1k",
        },
        /THRESHOLD_BYTES must be a positive integer/,
      ],
      [
        { ASYA_CLAIM_CHECK_STORE: "file", ASYA_CLAIM_CHECK_DIR: "/x", ASYA_CLAIM_CHECK_GZIP: "yes" },
        /GZIP must be true or false/,
      ],
      [{ ASYA_CLAIM_CHECK_STORE: "s3", ASYA_CLAIM_CHECK_BUCKET: "Bad_Bucket" }, /not an S3 bucket name/],
    ];
    for (const [env, message] of cases) {
      const error = await rejection(claimCheckFromEnv(env));
      expect({ code: error.code, retryable: error.retryable }).toEqual({
        code: "INVALID_CONFIG",
        retryable: false,
      });
      expect(error.message).toMatch(message);
    }
  });
});
