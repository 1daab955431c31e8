import { configFromEnv, loadTransport } from "@asya/cli";
import { createJsonLogger, RuntimeConfigError } from "@asya/runtime";
import { createMemoryTransport, defineTransport } from "@asya/transport";
import { transportDescriptor as pubSubDescriptor } from "@asya/transport-pubsub";
import { transportDescriptor as rabbitMqDescriptor } from "@asya/transport-rabbitmq";
import { transportDescriptor as sqsDescriptor } from "@asya/transport-sqs";
import { describe, expect, it } from "vitest";
import { missingPackageOf } from "../src/config/load-transport.js";

describe("configFromEnv", () => {
  it("has defaults", () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({
      transport: { kind: "memory" },
      sinkActor: "x-sink",
      sumpActor: "x-sump",
      concurrency: 1,
      healthPort: 8080,
      healthHost: "127.0.0.1",
      metricsEnabled: true,
      maxMessageBytes: 10 * 1024 * 1024,
      logLevel: "info",
      shutdownGraceMs: 30_000,
    });
    expect(config.resiliency.actorTimeoutMs).toBe(300_000);
  });

  it("reads every variable", () => {
    const config = configFromEnv({
      ASYA_ACTOR_NAME: "judge",
      ASYA_NAMESPACE: "prod",
      ASYA_HANDLER: "./dist/handler.js#process",
      ASYA_TRANSPORT: "rabbitmq",
      ASYA_RABBITMQ_HOST: "mq",
      ASYA_RABBITMQ_PORT: "5673",
      ASYA_RABBITMQ_USERNAME: "u",
      ASYA_RABBITMQ_PASSWORD: "p@ss",
      ASYA_RABBITMQ_PREFETCH: "8",
      ASYA_RESILIENCY_ACTOR_TIMEOUT: "2m",
      ASYA_RESILIENCY_POLICIES: '{"default":{"maxAttempts":3,"thenRoute":["fix"]}}',
      ASYA_RESILIENCY_RULES: '[{"errors":["TimeoutError"],"policy":"default"}]',
      ASYA_ACTOR_SINK: "my-sink",
      ASYA_ACTOR_SUMP: "my-sump",
      ASYA_CONCURRENCY: "4",
      ASYA_HEALTH_PORT: "off",
      ASYA_MAX_MESSAGE_BYTES: "1000",
      ASYA_LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      actorName: "judge",
      namespace: "prod",
      handler: "./dist/handler.js#process",
      transport: { kind: "rabbitmq" },
      sinkActor: "my-sink",
      sumpActor: "my-sump",
      concurrency: 4,
      healthPort: undefined,
      maxMessageBytes: 1000,
      logLevel: "debug",
    });
    expect(config.resiliency.actorTimeoutMs).toBe(120_000);
    expect(config.resiliency.policies.default?.onExhausted).toEqual(["fix"]);
    // The adapter reads its own variables (its descriptor), from the env the config carries.
    expect(rabbitMqDescriptor.fromEnv("env" in config.transport ? config.transport.env : {})).toEqual({
      url: "amqp://u:p%40ss@mq:5673",
      prefetch: 8,
    });
  });

  it("reads the trusted gateway: URL, allowed origins, prefix (empty allowed) and token", () => {
    expect(configFromEnv({}).gateway).toEqual({});
    expect(
      configFromEnv({
        ASYA_GATEWAY_URL: "http://gateway:8081",
        ASYA_GATEWAY_ALLOWED_ORIGINS: "http://gateway-b:8081, https://gw.example.com",
        ASYA_GATEWAY_PREFIX: "",
        ASYA_GATEWAY_TOKEN: "t0ken",
      }).gateway,
    ).toEqual({
      url: "http://gateway:8081",
      allowedOrigins: ["http://gateway-b:8081", "https://gw.example.com"],
      prefix: "",
      token: "t0ken",
    });
  });

  it("the SQS and Pub/Sub descriptors read their variables, with fallbacks", () => {
    expect(sqsDescriptor.fromEnv({ AWS_REGION: "eu-west-1", ASYA_SQS_WAIT_TIME_SECONDS: "5" })).toEqual({
      region: "eu-west-1",
      waitTimeSeconds: 5,
    });
    expect(
      pubSubDescriptor.fromEnv({ ASYA_PUBSUB_PROJECT_ID: "p", PUBSUB_EMULATOR_HOST: "127.0.0.1:8085" }),
    ).toEqual({
      projectId: "p",
      apiEndpoint: "127.0.0.1:8085",
    });
    expect(
      pubSubDescriptor.fromEnv({ ASYA_PUBSUB_PROJECT_ID: "p", ASYA_PUBSUB_ACK_DEADLINE_SEC: "10" }),
    ).toEqual({
      projectId: "p",
      ackDeadlineSec: 10,
    });
    expect(configFromEnv({ ASYA_TRANSPORT: "sqs" }).transport).toMatchObject({ kind: "sqs" });
  });

  it.each([
    ["ASYA_TRANSPORT", { ASYA_TRANSPORT: "kafka" }],
    ["ASYA_CONCURRENCY", { ASYA_CONCURRENCY: "0" }],
    ["ASYA_CONCURRENCY", { ASYA_CONCURRENCY: "many" }],
    ["ASYA_HEALTH_PORT", { ASYA_HEALTH_PORT: "99999" }],
    ["ASYA_ACTOR_NAME", { ASYA_ACTOR_NAME: "Bad_Name" }],
    ["ASYA_NAMESPACE", { ASYA_NAMESPACE: "no spaces" }],
    ["ASYA_HANDLER", { ASYA_HANDLER: "a#b#c" }],
    ["ASYA_RESILIENCY_POLICIES", { ASYA_RESILIENCY_POLICIES: "{nope" }],
    ["ASYA_RESILIENCY_POLICIES", { ASYA_RESILIENCY_POLICIES: '{"p":{"maxAttempts":0}}' }],
    ["ASYA_RESILIENCY_RULES", { ASYA_RESILIENCY_RULES: '[{"errors":["E"],"policy":"missing"}]' }],
    ["ASYA_RESILIENCY_ACTOR_TIMEOUT", { ASYA_RESILIENCY_ACTOR_TIMEOUT: "forever" }],
    ["ASYA_MAX_MESSAGE_BYTES", { ASYA_MAX_MESSAGE_BYTES: "-1" }],
    ["ASYA_LOG_LEVEL", { ASYA_LOG_LEVEL: "loud" }],
    ["ASYA_ACTOR_SINK", { ASYA_ACTOR_SINK: "X" }],
    ["ASYA_METRICS_ENABLED", { ASYA_METRICS_ENABLED: "maybe" }],
    ["ASYA_GATEWAY_URL", { ASYA_GATEWAY_URL: "gateway:8081" }],
    ["ASYA_GATEWAY_ALLOWED_ORIGINS", { ASYA_GATEWAY_ALLOWED_ORIGINS: "http://a:1, http://b:2/path" }],
    ["ASYA_GATEWAY_PREFIX", { ASYA_GATEWAY_PREFIX: "api/v1" }],
  ])("invalid %s is named in the error", (variable, env) => {
    let caught: unknown;
    try {
      configFromEnv(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RuntimeConfigError);
    expect((caught as RuntimeConfigError).message).toContain(variable);
    expect((caught as RuntimeConfigError).field).toBe(variable);
    expect((caught as RuntimeConfigError).code).toBe("INVALID_CONFIG");
  });

  const messageOf = (env: Record<string, string>): string => {
    try {
      configFromEnv(env);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("expected configFromEnv to throw");
  };

  it("invalid JSON in ASYA_RESILIENCY_POLICIES shows the parser's detail and where it stopped", () => {
    expect(messageOf({ ASYA_RESILIENCY_POLICIES: '{"transient":{"maxAttempts":3,}}' })).toBe(
      '[asya:runtime] ASYA_RESILIENCY_POLICIES: invalid JSON: Expected double-quoted property name in JSON at position 30: sient":{"maxAttempts":3, <-- here',
    );
    expect(messageOf({ ASYA_RESILIENCY_POLICIES: '{"a":' })).toMatch(
      /^\[asya:runtime\] ASYA_RESILIENCY_POLICIES: invalid JSON: Unexpected end of JSON input/,
    );
  });

  it("rule and policy errors name the variable once, then the path inside it", () => {
    expect(
      messageOf({
        ASYA_RESILIENCY_POLICIES: '{"transient":{"maxAttempts":3}}',
        ASYA_RESILIENCY_RULES: '[{"errors":["E"],"policy":"nope"}]',
      }),
    ).toBe('[asya:runtime] ASYA_RESILIENCY_RULES: [0].policy: unknown policy "nope" (defined: transient)');
    expect(messageOf({ ASYA_RESILIENCY_POLICIES: '{"p":{"maxAttempts":0}}' })).toMatch(
      /^\[asya:runtime\] ASYA_RESILIENCY_POLICIES: p\.maxAttempts: /,
    );
  });

  it.each([
    ["ASYA_RABBITMQ_URL", { ASYA_TRANSPORT: "rabbitmq", ASYA_RABBITMQ_URL: "http://x" }],
    ["ASYA_RABBITMQ_PORT", { ASYA_TRANSPORT: "rabbitmq", ASYA_RABBITMQ_PORT: "70000" }],
    ["ASYA_PUBSUB_PROJECT_ID", { ASYA_TRANSPORT: "pubsub" }],
    [
      "ASYA_PUBSUB_ACK_DEADLINE_SEC",
      { ASYA_TRANSPORT: "pubsub", ASYA_PUBSUB_PROJECT_ID: "p", ASYA_PUBSUB_ACK_DEADLINE_SEC: "5" },
    ],
    ["ASYA_SQS_WAIT_TIME_SECONDS", { ASYA_TRANSPORT: "sqs", ASYA_SQS_WAIT_TIME_SECONDS: "21" }],
  ])("an invalid adapter variable %s is named when the transport is loaded", async (variable, env) => {
    const loading = loadTransport(configFromEnv(env).transport);
    await expect(loading).rejects.toBeInstanceOf(RuntimeConfigError);
    await expect(loading).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      field: variable,
      message: expect.stringMatching(new RegExp(`^\\[asya:runtime\\] ${variable}: `)),
    });
  });

  it("never puts the RabbitMQ password into error messages", async () => {
    await expect(
      loadTransport(
        configFromEnv({ ASYA_TRANSPORT: "rabbitmq", ASYA_RABBITMQ_URL: "http://u:secret@x" }).transport,
      ),
    ).rejects.toThrow(/^(?!.*secret)/);
  });
});

describe("loadTransport", () => {
  it("creates the memory transport", async () => {
    const transport = await loadTransport({ kind: "memory" });
    expect(transport.name).toBe("memory");
    await transport.close();
  });

  const notFound = (specifier: string) => async () => {
    throw Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/x.js`), {
      code: "ERR_MODULE_NOT_FOUND",
    });
  };

  it("gives an install hint naming adapter and SDK when the adapter package is missing", async () => {
    await expect(
      loadTransport({ kind: "sqs", env: {} }, { importer: notFound("@asya/transport-sqs") }),
    ).rejects.toMatchObject({
      code: "MISSING_ADAPTER",
      field: "ASYA_TRANSPORT",
      message: expect.stringContaining("npm install @asya/transport-sqs @aws-sdk/client-sqs"),
    });
  });

  it("names the SDK, not the adapter, when the adapter is installed but its SDK is not", async () => {
    const loading = loadTransport({ kind: "sqs", env: {} }, { importer: notFound("@aws-sdk/client-sqs") });
    const error = (await loading.then(
      () => undefined,
      (e: unknown) => e,
    )) as RuntimeConfigError;
    expect(error).toMatchObject({ code: "MISSING_ADAPTER", field: "ASYA_TRANSPORT" });
    expect(error.message).toBe(
      "[asya:runtime] ASYA_TRANSPORT=sqs: @asya/transport-sqs is installed but @aws-sdk/client-sqs (which it imports) is not: install it with `npm install @aws-sdk/client-sqs`",
    );
  });

  it("reduces a deep import path to its package name", () => {
    const deep = Object.assign(new Error("Cannot find module '@google-cloud/pubsub/build/src/index.js'"), {
      code: "MODULE_NOT_FOUND",
    });
    expect(missingPackageOf(deep)).toBe("@google-cloud/pubsub");
    expect(missingPackageOf(new Error("other"))).toBeUndefined();
  });

  it("creates the adapter through its descriptor, with options from env or given ready", async () => {
    const created: unknown[] = [];
    const descriptor = defineTransport({
      ...rabbitMqDescriptor,
      create: (options, context) => {
        created.push({ options, context });
        return createMemoryTransport({ name: "fake-rabbit" });
      },
    });
    const importer = async () => ({ transportDescriptor: descriptor });
    const logger = createJsonLogger({ level: "silent" });
    const fromEnv = await loadTransport(
      { kind: "rabbitmq", env: { ASYA_RABBITMQ_URL: "amqp://h", ASYA_RABBITMQ_PREFETCH: "2" } },
      { importer, logger },
    );
    const ready = await loadTransport({ kind: "rabbitmq", options: { url: "amqp://other" } }, { importer });
    expect(fromEnv.name).toBe("fake-rabbit");
    // The runtime's logger reaches the adapter, so a failed connect is visible at once.
    expect(created).toEqual([
      { options: { url: "amqp://h", prefetch: 2 }, context: { logger } },
      { options: { url: "amqp://other" }, context: {} },
    ]);
    await Promise.all([fromEnv.close(), ready.close()]);
  });
});
