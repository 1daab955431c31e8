import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStateStore, StateStoreError, stateStoreConfigFromEnv, stateStoreFromEnv } from "@asya/state";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "asya-state-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(env: Record<string, string | undefined>): StateStoreError {
  try {
    stateStoreConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(StateStoreError);
    return error as StateStoreError;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe("stateStoreConfigFromEnv", () => {
  it("defaults to memory; empty variables count as unset", () => {
    expect(stateStoreConfigFromEnv({})).toEqual({ kind: "memory" });
    expect(stateStoreConfigFromEnv({ ASYA_STATE_STORE: "", ASYA_STATE_PREFIX: "" })).toEqual({
      kind: "memory",
    });
  });

  it("reads each backend's variables, with the prefix for all of them", () => {
    const prefix = { ASYA_STATE_PREFIX: "app/" };
    expect(
      stateStoreConfigFromEnv({ ASYA_STATE_STORE: "file", ASYA_STATE_DIR: "/var/state", ...prefix }),
    ).toEqual({
      kind: "file",
      dir: "/var/state",
      prefix: "app/",
    });
    expect(
      stateStoreConfigFromEnv({
        ASYA_STATE_STORE: "redis",
        ASYA_STATE_URL: "rediss://:pw@cache:6380/2",
        ...prefix,
      }),
    ).toEqual({ kind: "redis", url: "rediss://:pw@cache:6380/2", prefix: "app/" });
    expect(
      stateStoreConfigFromEnv({
        ASYA_STATE_STORE: "postgres",
        ASYA_STATE_URL: "postgresql://u:p@db/asya",
        ...prefix,
      }),
    ).toEqual({ kind: "postgres", connectionString: "postgresql://u:p@db/asya", prefix: "app/" });
    expect(
      stateStoreConfigFromEnv({ ASYA_STATE_STORE: "s3", ASYA_STATE_BUCKET: "b", AWS_REGION: "eu-west-1" }),
    ).toEqual({ kind: "s3", bucket: "b", prefix: "", region: "eu-west-1" });
    expect(
      stateStoreConfigFromEnv({
        ASYA_STATE_STORE: "s3",
        ASYA_STATE_BUCKET: "b",
        ASYA_STATE_S3_ENDPOINT: "http://127.0.0.1:9000",
        ASYA_AWS_REGION: "eu-central-1",
        AWS_REGION: "eu-west-1",
      }),
    ).toEqual({
      kind: "s3",
      bucket: "b",
      prefix: "",
      region: "eu-central-1",
      endpoint: "http://127.0.0.1:9000",
    });
    expect(stateStoreConfigFromEnv({ ASYA_STATE_STORE: "s3", ASYA_STATE_BUCKET: "b" })).toMatchObject({
      region: "us-east-1",
    });
  });

  it.each([
    [{ ASYA_STATE_STORE: "dynamo" }, "ASYA_STATE_STORE", /one of memory, file, redis, postgres, s3/],
    [{ ASYA_STATE_STORE: "Redis", ASYA_STATE_URL: "redis://h" }, "ASYA_STATE_STORE", /got "Redis"/],
    [{ ASYA_STATE_STORE: "file" }, "ASYA_STATE_DIR", /is required with ASYA_STATE_STORE=file/],
    [{ ASYA_STATE_STORE: "redis" }, "ASYA_STATE_URL", /is required/],
    [{ ASYA_STATE_STORE: "redis", ASYA_STATE_URL: "http://u:secret@h" }, "ASYA_STATE_URL", /redis:\/\//],
    [
      { ASYA_STATE_STORE: "postgres", ASYA_STATE_URL: "redis://u:secret@h" },
      "ASYA_STATE_URL",
      /postgres:\/\//,
    ],
    [{ ASYA_STATE_STORE: "s3" }, "ASYA_STATE_BUCKET", /is required/],
    [
      { ASYA_STATE_STORE: "s3", ASYA_STATE_BUCKET: "b", ASYA_STATE_S3_ENDPOINT: "not a url" },
      "ASYA_STATE_S3_ENDPOINT",
      /./,
    ],
  ])("%j is INVALID_CONFIG naming %s", (env, variable, message) => {
    const error = configError(env);
    expect(error).toMatchObject({ code: "INVALID_CONFIG", field: variable, retryable: false });
    expect(error.message).toMatch(new RegExp(`^\\[asya:state\\] ${variable} `));
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("secret");
  });
});

describe("stateStoreFromEnv and createStateStore", () => {
  it("create working memory and file stores", async () => {
    const memory = await stateStoreFromEnv({});
    const file = await stateStoreFromEnv({
      ASYA_STATE_STORE: "file",
      ASYA_STATE_DIR: dir,
      ASYA_STATE_PREFIX: "p/",
    });
    expect([memory.kind, file.kind]).toEqual(["memory", "file"]);
    await file.put("k", 1);
    expect(await (await createStateStore({ kind: "file", dir, prefix: "p/" })).get("k")).toBe(1);
    await Promise.all([memory.close(), file.close()]);
  });

  it("create Redis, PostgreSQL and S3 stores without connecting (they connect on first use)", async () => {
    const stores = await Promise.all([
      stateStoreFromEnv({ ASYA_STATE_STORE: "redis", ASYA_STATE_URL: "redis://127.0.0.1:1" }),
      stateStoreFromEnv({ ASYA_STATE_STORE: "postgres", ASYA_STATE_URL: "postgres://127.0.0.1:1/x" }),
      stateStoreFromEnv({
        ASYA_STATE_STORE: "s3",
        ASYA_STATE_BUCKET: "b",
        ASYA_STATE_S3_ENDPOINT: "http://127.0.0.1:1",
      }),
    ]);
    expect(stores.map((store) => store.kind)).toEqual(["redis", "postgres", "s3"]);
    await Promise.all(stores.map((store) => store.close()));
  });

  it("reject unknown options and kinds with INVALID_CONFIG naming the option", async () => {
    await expect(createStateStore({ kind: "file", dir: "" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      field: "dir",
    });
    await expect(
      createStateStore({ kind: "redis", url: "redis://h", prefx: "x" } as unknown as {
        kind: "redis";
        url: string;
      }),
    ).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    await expect(createStateStore({ kind: "etcd" } as unknown as { kind: "memory" })).rejects.toMatchObject({
      code: "INVALID_CONFIG",
      field: "kind",
    });
  });
});
