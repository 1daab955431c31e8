import { randomBytes } from "node:crypto";
import { SQSClient } from "@aws-sdk/client-sqs";
import { buildApp } from "fauxqs";
import { inject } from "vitest";

// The emulators accept any credentials; the transport itself only uses the SDK default chain, so
// dummy keys go into this test process's environment.
process.env.AWS_ACCESS_KEY_ID ??= "test";
process.env.AWS_SECRET_ACCESS_KEY ??= "test";
process.env.AWS_REGION ??= "us-east-1";

/** One SQS emulator under test. */
export interface Emulator {
  readonly name: "moto" | "fauxqs";
  endpoint(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** moto_server, started once for the whole run by test/setup/global-setup.ts. */
export function motoEmulator(): Emulator {
  return {
    name: "moto",
    endpoint() {
      const endpoint = inject("sqsEndpoint") || process.env.ASYA_TEST_SQS_ENDPOINT;
      if (endpoint === undefined || endpoint === "") {
        throw new Error("no moto endpoint: test/setup/global-setup.ts did not provide sqsEndpoint");
      }
      return endpoint;
    },
    async start() {},
    async stop() {},
  };
}

/**
 * fauxqs 1.9.2, started in-process on a free port. `startFauxqs()` always listens on 0.0.0.0, so
 * the app is built with `buildApp()` and bound to 127.0.0.1 here.
 */
export function fauxqsEmulator(): Emulator {
  let app: ReturnType<typeof buildApp> | undefined;
  let address: string | undefined;
  return {
    name: "fauxqs",
    endpoint() {
      if (address === undefined) throw new Error("fauxqs not started");
      return address;
    },
    async start() {
      app = buildApp({ logger: false });
      address = await app.listen({ port: 0, host: "127.0.0.1" });
    },
    async stop() {
      await app?.close();
      app = undefined;
      address = undefined;
    },
  };
}

/** Both emulators, for `describe.each`. */
export function emulators(): Emulator[] {
  return [motoEmulator(), fauxqsEmulator()];
}

/** A raw SDK client on an emulator, for assertions that look under the transport. */
export function rawClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: "us-east-1" });
}

/** A queue name unique to this test. */
export function uniqueQueue(prefix = "asya-sqs-test"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
