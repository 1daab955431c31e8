import type { OutgoingMessage } from "@asya/transport";
import { sqsMessageSize } from "@asya/transport-sqs";
import { describe, expect, it } from "vitest";
import {
  decodeAttributeValue,
  encodeAttributeValue,
  toMessageAttributes,
} from "../src/message-attributes.js";
import { buildSendEntry, PACKED_ATTRIBUTES_ATTRIBUTE } from "../src/outgoing-message.js";
import { chunkSendEntries } from "../src/send-batch.js";

const settings = {
  maxMessageBytes: 1_048_576,
  messageGroupId: "asya",
  messageGroupIdAttribute: "x-asya-message-group-id",
  deduplicationIdAttribute: "x-asya-deduplication-id",
  supplementaryCharsAsText: true,
};
const bytes = (n: number) => new Uint8Array(n).fill(0x61);

describe("size accounting", () => {
  it("counts the body's UTF-8 bytes plus each attribute's name, data type and value", () => {
    const size = sqsMessageSize("héllo", { trace: { DataType: "String", StringValue: "t-1" } });
    expect(size).toEqual({ bodyBytes: 6, attributeBytes: 5 + 6 + 3, totalBytes: 20 });
    const binary = sqsMessageSize("x", { b: { DataType: "Binary", BinaryValue: new Uint8Array(4) } });
    expect(binary.attributeBytes).toBe(1 + 6 + 4);
  });

  it("accepts exactly maxMessageBytes and rejects one more byte with TOO_LARGE naming the size", () => {
    expect(buildSendEntry("q", { body: bytes(1_048_576) }, undefined, settings).sizeBytes).toBe(1_048_576);
    expect(() => buildSendEntry("q", { body: bytes(1_048_577) }, undefined, settings)).toThrow(
      expect.objectContaining({
        code: "TOO_LARGE",
        retryable: false,
        message: expect.stringMatching(/1048577 bytes/),
      }),
    );
  });

  it("counts attributes and the base64 expansion against the limit", () => {
    const small = { ...settings, maxMessageBytes: 1024 };
    const withAttribute: OutgoingMessage = { body: bytes(1000), attributes: { k: "v".repeat(20) } };
    expect(() => buildSendEntry("q", withAttribute, undefined, small)).toThrow(
      expect.objectContaining({ code: "TOO_LARGE", message: expect.stringContaining("1027 bytes") }),
    );
    // 768 raw bytes become 1,024 base64 characters plus the marker attribute.
    expect(() => buildSendEntry("q", { body: new Uint8Array(768).fill(0xff) }, undefined, small)).toThrow(
      expect.objectContaining({ code: "TOO_LARGE", message: expect.stringContaining("as base64") }),
    );
  });
});

describe("attributes", () => {
  it("round-trips empty values and values SQS refuses as String", () => {
    for (const value of ["", "plain", "a\u0000b", "tab\tok", "🙂"]) {
      expect(decodeAttributeValue(encodeAttributeValue(value))).toBe(value);
    }
    expect(encodeAttributeValue("").StringValue).not.toBe("");
    expect(encodeAttributeValue("a\u0000b").DataType?.startsWith("Binary")).toBe(true);
  });

  it("rejects invalid and reserved attribute names with INVALID_ARGUMENT", () => {
    for (const name of [
      "",
      "has space",
      "AWS.x",
      "amazon.y",
      ".lead",
      "trail.",
      "a..b",
      "x-asya-sqs-foo",
      "ü",
    ]) {
      expect(() => toMessageAttributes({ [name]: "v" }), name).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT", retryable: false }),
      );
    }
    expect(
      Object.keys(toMessageAttributes({ traceparent: "x", "x-asya-first-attempt": "y", "a.b_c-d": "z" })),
    ).toHaveLength(3);
  });

  it("allows 10 attributes, rejects 11, and counts the base64 marker", () => {
    const attributes = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, "v"]));
    expect(() =>
      buildSendEntry("q", { body: bytes(1), attributes: attributes(10) }, undefined, settings),
    ).not.toThrow();
    expect(() =>
      buildSendEntry("q", { body: bytes(1), attributes: attributes(11) }, undefined, settings),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(() =>
      buildSendEntry("q", { body: new Uint8Array([0xff]), attributes: attributes(10) }, undefined, settings),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("packs the caller's attributes into one when an internal re-publish needs the slots", () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, `v${i}`]));
    const entry = buildSendEntry("q", { body: bytes(1), attributes: ten }, undefined, settings, {
      attributes: { "x-asya-dead-letter-reason": "why" },
      packIfNeeded: true,
    });
    expect(Object.keys(entry.MessageAttributes).sort()).toEqual([
      "x-asya-dead-letter-reason",
      PACKED_ATTRIBUTES_ATTRIBUTE,
    ]);
    expect(JSON.parse(entry.MessageAttributes[PACKED_ATTRIBUTES_ATTRIBUTE]?.StringValue ?? "")).toEqual(ten);
  });
});

describe("delays and FIFO", () => {
  it("rounds delays up to whole seconds and caps a single hop at 900 s", () => {
    expect(buildSendEntry("q", { body: bytes(1) }, 1, settings).DelaySeconds).toBe(1);
    expect(buildSendEntry("q", { body: bytes(1) }, 1500, settings).DelaySeconds).toBe(2);
    expect(buildSendEntry("q", { body: bytes(1) }, 900_000, settings).DelaySeconds).toBe(900);
    expect(buildSendEntry("q", { body: bytes(1) }, 0, settings).DelaySeconds).toBeUndefined();
    // Longer delays are refused, not cut short or chained: the runtime splits them into hops.
    expect(() => buildSendEntry("q", { body: bytes(1) }, 900_001, settings)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", field: "delayMs" }),
    );
  });

  it("fills MessageGroupId / MessageDeduplicationId on .fifo queues from attributes or defaults", () => {
    const plain = buildSendEntry("asya-a.fifo", { body: bytes(1) }, undefined, settings);
    expect(plain.MessageGroupId).toBe("asya");
    expect(plain.MessageDeduplicationId).toBeUndefined();
    const keyed = buildSendEntry(
      "asya-a.fifo",
      { body: bytes(1), attributes: { "x-asya-message-group-id": "g", "x-asya-deduplication-id": "d" } },
      undefined,
      settings,
    );
    expect([keyed.MessageGroupId, keyed.MessageDeduplicationId]).toEqual(["g", "d"]);
    expect(buildSendEntry("asya-a", { body: bytes(1) }, undefined, settings).MessageGroupId).toBeUndefined();
    expect(() => buildSendEntry("asya-a.fifo", { body: bytes(1) }, 1000, settings)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

describe("batch chunking", () => {
  it("splits at batchSize entries and at 1 MiB per batch", () => {
    const entry = (sizeBytes: number) => ({ MessageBody: "x", MessageAttributes: {}, sizeBytes });
    expect(
      chunkSendEntries(
        Array.from({ length: 25 }, () => entry(10)),
        10,
      ).map((c) => c.length),
    ).toEqual([10, 10, 5]);
    const big = [entry(600_000), entry(600_000), entry(400_000), entry(1_048_576)];
    expect(chunkSendEntries(big, 10).map((c) => c.length)).toEqual([1, 2, 1]);
    expect(chunkSendEntries([], 10)).toEqual([]);
  });
});
