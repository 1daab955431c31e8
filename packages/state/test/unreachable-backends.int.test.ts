import { createServer } from "node:net";
import {
  createPostgresStateStore,
  createRedisStateStore,
  createS3StateStore,
  type StateStore,
} from "@asya/state";
import { expect, it } from "vitest";

/** A 127.0.0.1 port nothing listens on (asked from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

async function expectUnavailableSoon(store: StateStore, secret?: string): Promise<void> {
  const started = performance.now();
  try {
    expect(await store.ready()).toBe(false);
    const error = await store.put("k", 1).then(
      () => new Error("resolved"),
      (reason: unknown) => reason as Error,
    );
    expect(error).toMatchObject({ name: "StateStoreError", code: "UNAVAILABLE", retryable: true });
    if (secret !== undefined) expect(error.message).not.toContain(secret);
    await expect(store.get("k")).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(performance.now() - started).toBeLessThan(5_000);
  } finally {
    await store.close();
  }
}

it("an unreachable Redis is UNAVAILABLE within seconds, its password not in the message", async () => {
  const url = `redis://user:s3cretpw@127.0.0.1:${await closedPort()}`;
  await expectUnavailableSoon(await createRedisStateStore({ url }), "s3cretpw");
});

it("an unreachable PostgreSQL is UNAVAILABLE within seconds, its password not in the message", async () => {
  const connectionString = `postgres://user:s3cretpw@127.0.0.1:${await closedPort()}/db`;
  await expectUnavailableSoon(await createPostgresStateStore({ connectionString }), "s3cretpw");
});

it("an unreachable S3 endpoint is UNAVAILABLE within seconds", async () => {
  const endpoint = `http://127.0.0.1:${await closedPort()}`;
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  await expectUnavailableSoon(await createS3StateStore({ bucket: "b", endpoint, credentials }));
});
