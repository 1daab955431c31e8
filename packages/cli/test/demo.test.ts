import { DEMO_INPUTS, runDemo, splitSentences } from "@asya/cli/demo";
import { describe, expect, it } from "vitest";

describe("demo pipeline (end to end on the memory transport)", () => {
  it("ends every envelope in the expected state", async () => {
    const lines: string[] = [];
    const result = await runDemo({ write: (line) => lines.push(line) });
    const total = DEMO_INPUTS.reduce((sum, input) => sum + splitSentences(input.text).length, 0);
    expect(result.results).toHaveLength(total);
    const byId = new Map(result.results.map((e) => [e.id, e]));
    expect([...byId.keys()].sort()).toEqual([
      "doc-1",
      "doc-1-1",
      "doc-1-2",
      "doc-2",
      "doc-2-1",
      "doc-3",
      "doc-3-1",
    ]);
    for (const [id, envelope] of byId) {
      if (id === "doc-3-1") continue;
      expect(envelope.status).toMatchObject({ phase: "succeeded", reason: "Completed" });
      expect(envelope.route.curr).toBe("");
    }
    // Low confidence went through review; the rest did not.
    expect(byId.get("doc-1-2")?.route.prev).toEqual(["clean", "enrich", "judge", "review"]);
    expect(byId.get("doc-1-2")?.payload).toMatchObject({ verdict: "approved-after-review" });
    expect(byId.get("doc-1")?.route.prev).toEqual(["clean", "enrich", "judge"]);
    // The flaky enrich succeeded on retry; the prompt injection failed for good into x-sump.
    expect(byId.get("doc-2")?.payload).toMatchObject({ verdict: "ok" });
    expect(byId.get("doc-3-1")?.status).toMatchObject({
      phase: "failed",
      reason: "PolicyExhausted",
      attempt: 3,
      error: { type: "ModelRefusalError", mro: ["TransientError"] },
    });
    expect(result.failures.map((e) => e.id)).toEqual(["doc-3-1"]);
    expect(lines.join("\n")).toMatch(/doc-2\s.*enrich\(2 attempts\)/);
    expect(lines.join("\n")).toMatch(/judge\(3 attempts\)/);
    expect(lines.find((line) => line.startsWith("summary:"))).toMatch(
      /summary: 7 envelopes .* 6 succeeded \(1 via review\), 1 failed; 3 retries; x-sump holds 1/,
    );
  });

  it("act 2: the document's chunks are joined (fan-in), a human approves (pause, resume), then it is published", async () => {
    const lines: string[] = [];
    const { digest } = await runDemo({ write: (line) => lines.push(line) });
    expect(digest.route.prev).toEqual(["chunk", "join-chunks", "approve", "x-pause", "x-resume", "publish"]);
    expect(digest.payload).toEqual({
      doc: "report-7",
      words: 35,
      keywords: ["producers", "aggregator", "reviews"],
      approved: true,
      editor: "demo-human",
      status: "published",
    });
    expect(lines).toContain(
      '  4 frames joined at join-chunks; paused: "Publish the digest of report-7 (3 chunks)?" (fields: approved boolean, editor string)',
    );
  });
});

describe("demo through the gateway (asya demo --gateway)", () => {
  it("creates the tasks over HTTP for a registered tool and follows each over SSE to its final status", async () => {
    const lines: string[] = [];
    const result = await runDemo({ write: (line) => lines.push(line), gateway: true });
    const total = DEMO_INPUTS.reduce((sum, input) => sum + splitSentences(input.text).length, 0);
    expect(result.results).toHaveLength(total);
    // A task is its root envelope (fan-out child 0 keeps the id); all three roots succeed.
    expect(lines).toContain(
      "gateway: 3 tasks created over HTTP and followed over SSE: succeeded, succeeded, succeeded\n",
    );
    expect(lines.find((line) => line.startsWith("summary:"))).toMatch(/^summary: 7 envelopes finished/);
    // Act 2's task was resumed over the API.
    expect(lines).toContain(
      '  a human answers {"approved":true,"editor":"demo-human"} with POST /mesh/{id}/resume',
    );
    expect(result.digest.payload).toMatchObject({ approved: true, status: "published" });
    const roots = result.results.filter((e) => e.parent_id === undefined);
    expect(roots.every((e) => /^[0-9a-f-]{36}$/.test(e.id))).toBe(true);
  });
});
