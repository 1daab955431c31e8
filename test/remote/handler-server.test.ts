import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createEnvelope } from "@asya/envelope";
import type { Handler } from "@asya/runtime";
import { createHandlerServer } from "@asya/runtime/remote";
import { afterEach, describe, expect, it } from "vitest";
import * as handlers from "./fixtures/js-handlers.js";

// Our runtime as the runtime (SPEC section 9): JavaScript handlers served on a Unix socket, judged
// by raw clients (Node's http with socketPath, and curl --unix-socket), not by our sidecar code.

const execFileAsync = promisify(execFile);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(handler: Handler<never>) {
  const dir = mkdtempSync(join(tmpdir(), "asya-serve-"));
  const socketPath = join(dir, "asya-runtime.sock");
  const server = await createHandlerServer({ handler, socketPath });
  cleanups.push(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { socketPath, dir };
}

function raw(socketPath: string, method: string, path: string, body?: string) {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const req = request(
      { socketPath, method, path, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), text }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const envelope = (payload: unknown) =>
  JSON.stringify(
    createEnvelope({
      id: "e-1",
      route: { prev: ["a"], curr: "js", next: ["b", "c"] },
      payload,
      status: { phase: "processing" },
    }),
  );

function sse(text: string): Array<{ event: string; data: unknown }> {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
      return { event, data: JSON.parse(data) };
    });
}

describe("asya serve-handler's protocol (createHandlerServer), with raw socket clients", () => {
  it("writes runtime-ready, answers /healthz, and a plain handler's frame has the route advanced", async () => {
    const { socketPath, dir } = await serve(handlers.shout as Handler<never>);
    expect(existsSync(join(dir, "runtime-ready"))).toBe(true);
    expect(await raw(socketPath, "GET", "/healthz")).toMatchObject({
      status: 200,
      text: '{"status":"ready"}',
    });
    const answer = await raw(socketPath, "POST", "/invoke", envelope({ text: "hi" }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({
      frames: [{ payload: { text: "HI" }, route: { prev: ["a", "js"], curr: "b", next: ["c"] } }],
    });
    // curl, a client we did not write.
    const { stdout } = await execFileAsync("curl", [
      "-s",
      "--unix-socket",
      socketPath,
      "-H",
      "content-type: application/json",
      "-d",
      envelope({ text: "yo" }),
      "http://runtime/invoke",
    ]);
    expect(JSON.parse(stdout).frames[0].payload).toEqual({ text: "YO" });
  });

  it("a generator streams SSE: upstream FLY, downstream frames as yielded (next as left at each), error, then done", async () => {
    const { socketPath } = await serve(handlers.stream as Handler<never>);
    const ok = await raw(socketPath, "POST", "/invoke", envelope({}));
    expect(ok.type).toMatch(/^text\/event-stream/);
    expect(sse(ok.text)).toEqual([
      { event: "upstream", data: { payload: { step: "start" } } },
      {
        event: "downstream",
        data: expect.objectContaining({
          payload: { part: 1 },
          route: { prev: ["a", "js"], curr: "b", next: ["c"] },
        }),
      },
      {
        event: "downstream",
        data: expect.objectContaining({
          payload: { part: 2 },
          route: { prev: ["a", "js"], curr: "after", next: ["b", "c"] },
        }),
      },
      { event: "done", data: {} },
    ]);
    const failing = sse((await raw(socketPath, "POST", "/invoke", envelope({ fail: true }))).text);
    expect(failing.map((e) => e.event)).toEqual(["upstream", "downstream", "downstream", "error", "done"]);
    expect(failing[3]?.data).toMatchObject({
      error: "processing_error",
      details: { type: "RangeError", message: "went too far" },
    });
  });

  it("asya serve-handler (the command) serves on ASYA_SOCKET_DIR and removes its socket on SIGTERM", async () => {
    const { ActorProcess } = await import("../reliability/harness/actor-process.js");
    const dir = mkdtempSync(join(tmpdir(), "asya-serve-cli-"));
    const served = new ActorProcess({
      label: "serve-handler",
      args: ["serve-handler"],
      env: {
        ASYA_HANDLER: `${join(import.meta.dirname, "fixtures/js-handlers.js")}#shout`,
        ASYA_SOCKET_DIR: dir,
      },
    });
    cleanups.push(async () => {
      await served.kill();
      rmSync(dir, { recursive: true, force: true });
    });
    await served.start();
    const socketPath = join(dir, "asya-runtime.sock");
    const { waitFor } = await import("../reliability/harness/wait.js");
    await waitFor("runtime-ready", () => existsSync(join(dir, "runtime-ready")), 20_000, 20);
    const { stdout } = await execFileAsync("curl", [
      "-s",
      "--unix-socket",
      socketPath,
      "http://runtime/healthz",
    ]);
    expect(JSON.parse(stdout)).toEqual({ status: "ready" });
    const answer = await raw(socketPath, "POST", "/invoke", envelope({ text: "cli" }));
    expect(JSON.parse(answer.text).frames[0].payload).toEqual({ text: "CLI" });
    served.signal("SIGTERM");
    expect((await served.waitForExit(10_000)).code).toBe(0);
    expect(existsSync(socketPath)).toBe(false);
    expect(existsSync(join(dir, "runtime-ready"))).toBe(false);
  });

  it("errors: 500 processing_error with type and mro, 204 for nothing, 400 msg_parsing_error for a bad body", async () => {
    const refuse = await serve(handlers.refuse as Handler<never>);
    const failed = await raw(refuse.socketPath, "POST", "/invoke", envelope({}));
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.text)).toMatchObject({
      error: "processing_error",
      details: {
        type: "QuotaError",
        mro: [],
        message: "quota exhausted",
        traceback: expect.stringContaining("quota exhausted"),
      },
    });
    expect((await raw(refuse.socketPath, "POST", "/invoke", "{not json")).status).toBe(400);
    expect(JSON.parse((await raw(refuse.socketPath, "POST", "/invoke", '{"id": 1}')).text)).toMatchObject({
      error: "msg_parsing_error",
    });
    const nothing = await serve(handlers.nothing as Handler<never>);
    expect((await raw(nothing.socketPath, "POST", "/invoke", envelope({}))).status).toBe(204);
  });
});
