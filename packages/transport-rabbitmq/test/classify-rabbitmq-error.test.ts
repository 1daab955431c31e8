import { TransportError } from "@asya/transport";
import { classifyRabbitMqError } from "@asya/transport-rabbitmq";
import { describe, expect, it } from "vitest";

function amqpError(code: number, text: string): Error {
  // The shape amqplib gives channel/connection close errors.
  return Object.assign(
    new Error(`Channel closed by server: ${code} (${text}) with message "${text} - detail"`),
    {
      code,
      classId: 50,
      methodId: 10,
    },
  );
}

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5672`), { code });
}

describe("classifyRabbitMqError", () => {
  it.each([
    [404, "NOT-FOUND", "NOT_FOUND", false],
    [403, "ACCESS-REFUSED", "ACCESS_DENIED", false],
    [406, "PRECONDITION-FAILED", "PRECONDITION_FAILED", false],
    [405, "RESOURCE-LOCKED", "PRECONDITION_FAILED", true],
    [311, "CONTENT-TOO-LARGE", "TOO_LARGE", false],
    [312, "NO-ROUTE", "UNROUTABLE", true],
    [320, "CONNECTION-FORCED", "CONNECTION", true],
    [506, "RESOURCE-ERROR", "THROTTLED", true],
    [530, "NOT-ALLOWED", "ACCESS_DENIED", false],
    [541, "INTERNAL-ERROR", "UNKNOWN", true],
    [502, "SYNTAX-ERROR", "UNKNOWN", false],
  ] as const)("maps AMQP reply code %i (%s) to %s (retryable %s)", (code, text, expected, retryable) => {
    const error = classifyRabbitMqError(amqpError(code, text));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: expected, retryable, transport: "rabbitmq" });
    expect(error.message).toMatch(/^\[asya:rabbitmq\] /);
    expect((error.cause as Error).message).toContain(String(code));
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "EAI_AGAIN"])(
    "treats socket error %s as a retryable CONNECTION error",
    (code) => {
      expect(classifyRabbitMqError(socketError(code))).toMatchObject({ code: "CONNECTION", retryable: true });
    },
  );

  it("treats amqplib's IllegalOperationError (closed channel) and lost confirms as retryable", () => {
    const illegal = Object.assign(new Error("Channel closed"), { name: "IllegalOperationError" });
    expect(classifyRabbitMqError(illegal)).toMatchObject({ code: "CONNECTION", retryable: true });
    expect(classifyRabbitMqError(new Error("channel closed"))).toMatchObject({
      code: "CONNECTION",
      retryable: true,
    });
    expect(classifyRabbitMqError(new Error("Heartbeat timeout"))).toMatchObject({
      code: "CONNECTION",
      retryable: true,
    });
    expect(classifyRabbitMqError(new Error("message nacked"))).toMatchObject({
      code: "THROTTLED",
      retryable: true,
    });
  });

  it("recognises the handshake refusal of a wrong password by its text", () => {
    const error = new Error(
      'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"',
    );
    expect(classifyRabbitMqError(error)).toMatchObject({ code: "ACCESS_DENIED", retryable: false });
  });

  it("returns TransportErrors unchanged and maps unknown values to non-retryable UNKNOWN", () => {
    const original = new TransportError("x", { code: "TIMEOUT", retryable: true, transport: "rabbitmq" });
    expect(classifyRabbitMqError(original)).toBe(original);
    expect(classifyRabbitMqError("weird")).toMatchObject({ code: "UNKNOWN", retryable: false });
    expect(classifyRabbitMqError(new Error("something else"))).toMatchObject({
      code: "UNKNOWN",
      retryable: false,
    });
  });

  it("scrubs credentials from the message and does not keep a leaking cause", () => {
    const leaking = new Error("failed to reach amqp://app:hunter22@rabbit:5672/prod (password hunter22)");
    const error = classifyRabbitMqError(leaking, ["hunter22"]);
    expect(error.message).not.toContain("hunter22");
    expect(error.message).toContain("amqp://***@rabbit:5672/prod");
    expect(error.cause).not.toBe(leaking);
    expect(String((error.cause as Error).message)).not.toContain("hunter22");
  });
});
