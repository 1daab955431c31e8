import { queueName } from "@asya/envelope";
import { createJsonLogger } from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

describe("structured logs", () => {
  it("write JSON lines with actor, envelope id and trace id, never the payload", async () => {
    const t = setup();
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line) });
    await t.actor({
      name: "logged",
      logger,
      handler: () => {
        throw new Error("kaboom");
      },
    });
    await t.send({
      id: "log-1",
      route: ["logged"],
      headers: { trace_id: "trace-9" },
      payload: { secret: "top-secret-payload" },
    });
    await t.spy.waitFor("log-1", { to: "x-sink" });
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const about = parsed.filter((line) => line.envelope_id === "log-1");
    expect(about.length).toBeGreaterThan(0);
    for (const line of about) expect(line).toMatchObject({ actor: "logged", trace_id: "trace-9" });
    expect(lines.join("\n")).not.toContain("top-secret-payload");
    expect(parsed.every((line) => typeof line.time === "string" && typeof line.level === "string")).toBe(
      true,
    );
  });
});

describe("logs never contain payloads", () => {
  it("an unparseable body is not echoed into the logs", async () => {
    const t = setup();
    const lines: string[] = [];
    const logger = createJsonLogger({ level: "debug", write: (line) => lines.push(line) });
    await t.actor({ name: "parse-log", logger, handler: (p: unknown) => p });
    await t.transport.publish(queueName("parse-log"), {
      body: new TextEncoder().encode("s3cr3t-body not json"),
    });
    await expect
      .poll(() =>
        t.spy.records().some((r) => r.to === "x-sink" && r.envelope?.status?.reason === "ParseError"),
      )
      .toBe(true);
    expect(lines.some((line) => line.includes("unparseable"))).toBe(true);
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });
});
