import { createSqsTransport, SQS_MAX_MESSAGE_BYTES } from "@asya/transport-sqs";
import { describe, expect, it } from "vitest";

describe("createSqsTransport options", () => {
  it("applies defaults: 1 MiB limit, delays up to 900 s, keep-alive", async () => {
    const transport = createSqsTransport({ region: "us-east-1", endpoint: "http://127.0.0.1:1" });
    expect(transport.name).toBe("sqs");
    expect(transport.capabilities).toEqual({
      maxDelayMs: 900_000,
      deadLetter: true,
      batchPublish: true,
      maxMessageBytes: SQS_MAX_MESSAGE_BYTES,
      ordering: false,
      keepAlive: true,
    });
    expect(SQS_MAX_MESSAGE_BYTES).toBe(1_048_576);
    await transport.close();
  });

  it("makes maxMessageBytes a setting", async () => {
    const transport = createSqsTransport({ region: "us-east-1", maxMessageBytes: 262_144 });
    expect(transport.capabilities.maxMessageBytes).toBe(262_144);
    await transport.close();
  });

  it.each([
    [{ batchSize: 11 }, "batchSize"],
    [{ batchSize: 0 }, "batchSize"],
    [{ waitTimeSeconds: 21 }, "waitTimeSeconds"],
    [{ visibilityTimeoutSec: 43_201 }, "visibilityTimeoutSec"],
    [{ maxMessageBytes: 1_048_577 }, "maxMessageBytes"],
    [{ endpoint: "not a url" }, "endpoint"],
    [{ accessKeyId: "AKIA..." }, "accessKeyId"],
  ])("rejects %o with INVALID_ARGUMENT naming the option", (options, name) => {
    expect(() => createSqsTransport(options as never)).toThrow(
      expect.objectContaining({
        code: "INVALID_ARGUMENT",
        retryable: false,
        message: expect.stringContaining(name),
      }),
    );
  });
});
