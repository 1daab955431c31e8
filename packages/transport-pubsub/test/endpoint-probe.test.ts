import { createPubSubTransport } from "@asya/transport-pubsub";
import { expect, it } from "vitest";
import { freePort } from "../../../test/setup/net.js";
import { endpointAddress } from "../src/internal/endpoint-probe.js";

it("reads host and port from apiEndpoint forms, defaulting to Google's endpoint", () => {
  expect(endpointAddress("127.0.0.1:8085")).toEqual({ host: "127.0.0.1", port: 8085 });
  expect(endpointAddress("https://pubsub.example.com/")).toEqual({ host: "pubsub.example.com", port: 443 });
  expect(endpointAddress("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
  expect(endpointAddress(undefined)).toEqual({ host: "pubsub.googleapis.com", port: 443 });
});

it("warns at once when the endpoint refuses connections (the SDK would retry silently for 60 s)", async () => {
  const port = await freePort(); // nothing listens here
  const warnings: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
  const transport = createPubSubTransport({
    projectId: "p",
    apiEndpoint: `127.0.0.1:${port}`,
    logger: { warn: (message, fields) => warnings.push({ message, fields }) },
  });
  const begun = Date.now();
  const pending = transport.ensureQueue!("asya-probe").catch(() => undefined); // hangs on SDK retries
  await expect.poll(() => warnings.length, { timeout: 5_000 }).toBe(1);
  expect(Date.now() - begun).toBeLessThan(5_000);
  expect(warnings[0]).toEqual({
    message:
      "[asya:pubsub] cannot reach the Pub/Sub endpoint; the SDK keeps retrying each call for up to 60 s",
    fields: { endpoint: `127.0.0.1:${port}`, code: "ECONNREFUSED" },
  });
  await transport.close();
  void pending;
});
