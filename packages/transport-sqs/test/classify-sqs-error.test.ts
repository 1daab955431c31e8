import { TransportError } from "@asya/transport";
import { classifySqsError } from "@asya/transport-sqs";
import { describe, expect, it } from "vitest";

// Shapes as @aws-sdk/client-sqs v3 raises them (name + query-protocol Code + $fault/$metadata).
const sdkError = (name: string, status: number, fault: "client" | "server", code?: string) =>
  Object.assign(new Error(`${name} happened`), {
    name,
    ...(code === undefined ? {} : { Code: code }),
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });

describe("classifySqsError", () => {
  it("a missing-credentials error says which credential sources the SDK tried", () => {
    // As @smithy/property-provider raises it when the whole default chain comes up empty.
    const missing = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
      tryNextLink: false,
    });
    const error = classifySqsError(missing);
    expect(error).toMatchObject({ code: "ACCESS_DENIED", retryable: false, transport: "sqs" });
    expect(error.message).toMatch(
      /^\[asya:sqs\] no AWS credentials: CredentialsProviderError: Could not load/,
    );
    for (const source of [
      "AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
      "~/.aws/credentials",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
      "EC2 instance metadata",
    ]) {
      expect(error.message).toContain(source);
    }
  });

  it.each([
    ["ThrottlingException", 400, "THROTTLED"],
    ["RequestThrottled", 403, "THROTTLED"],
    ["OverLimit", 403, "THROTTLED"],
    ["InternalError", 500, "UNKNOWN"],
    ["ServiceUnavailable", 503, "UNKNOWN"],
  ] as const)("%s is retryable (%s)", (name, status, code) => {
    const error = classifySqsError(sdkError(name, status, status >= 500 ? "server" : "client"));
    expect(error).toMatchObject({ code, retryable: true, transport: "sqs" });
    expect(error.message).toMatch(/^\[asya:sqs\] /);
  });

  it.each([
    ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NOT_FOUND"],
    ["AccessDenied", undefined, "ACCESS_DENIED"],
    ["InvalidClientTokenId", undefined, "ACCESS_DENIED"],
    ["InvalidParameterValue", undefined, "INVALID_ARGUMENT"],
    ["InvalidMessageContents", "AWS.SimpleQueueService.InvalidMessageContents", "INVALID_ARGUMENT"],
    ["ReceiptHandleIsInvalid", undefined, "INVALID_ARGUMENT"],
    ["BatchRequestTooLong", undefined, "TOO_LARGE"],
    ["UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "INVALID_ARGUMENT"],
  ] as const)("%s is not retryable (%s)", (name, awsCode, code) => {
    const error = classifySqsError(sdkError(name, 400, "client", awsCode));
    expect(error).toMatchObject({ code, retryable: false });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("recognises the query-protocol Code when the name is generic", () => {
    expect(
      classifySqsError(
        sdkError("SQSServiceException", 400, "client", "AWS.SimpleQueueService.NonExistentQueue"),
      ).code,
    ).toBe("NOT_FOUND");
  });

  it("treats network and timeout errors (no HTTP response) as retryable", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    expect(classifySqsError(refused)).toMatchObject({ code: "CONNECTION", retryable: true });
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    expect(classifySqsError(reset)).toMatchObject({ code: "CONNECTION", retryable: true });
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });
    expect(classifySqsError(timeout)).toMatchObject({ code: "TIMEOUT", retryable: true });
  });

  it("maps aborts to ABORTED, unknown 4xx to a non-retryable error and passes TransportErrors through", () => {
    const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
    expect(classifySqsError(abort)).toMatchObject({ code: "ABORTED", retryable: false });
    expect(classifySqsError(sdkError("SomethingNew", 400, "client"))).toMatchObject({ retryable: false });
    expect(classifySqsError(sdkError("SomethingNew", 502, "server"))).toMatchObject({ retryable: true });
    const original = new TransportError("x", { code: "CLOSED", retryable: false, transport: "sqs" });
    expect(classifySqsError(original)).toBe(original);
    expect(classifySqsError("weird")).toMatchObject({ code: "UNKNOWN", retryable: false });
  });
});
