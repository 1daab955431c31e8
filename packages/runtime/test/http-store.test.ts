import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createEnvelope } from "@asya/envelope";
import { createHttpCallbackStore } from "@asya/runtime";
import { afterEach, describe, expect, it } from "vitest";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function server(status: number, received: unknown[]): Promise<string> {
  const srv = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ auth: request.headers.authorization, body: JSON.parse(body) });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  closers.push(() => srv.close());
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/results`;
}

describe("HTTP callback store", () => {
  it("POSTs the envelope as JSON with the configured headers", async () => {
    const received: unknown[] = [];
    const store = createHttpCallbackStore(await server(204, received), {
      headers: { authorization: "Bearer t" },
    });
    const envelope = createEnvelope({ id: "h-1", route: ["a"], payload: { x: 1 } });
    await store.write(envelope);
    expect(received).toEqual([{ auth: "Bearer t", body: envelope }]);
  });

  it("fails the write on a non-2xx answer (so the sink leaves the message for redelivery)", async () => {
    const store = createHttpCallbackStore(await server(500, []));
    await expect(store.write(createEnvelope({ id: "h-2", route: ["a"], payload: 1 }))).rejects.toThrow(/500/);
  });

  it("accepts only http(s) URLs", () => {
    expect(() => createHttpCallbackStore("file:///etc/passwd")).toThrow(/http/);
  });
});
