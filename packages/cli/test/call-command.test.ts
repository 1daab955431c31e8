import { runCli } from "@asya/cli";
import { createGateway } from "@asya/gateway";
import { createMemoryTransport } from "@asya/transport";
import { describe, expect, it } from "vitest";

describe("asya task watch / asya call output", () => {
  it("shows a finished task's FLY text and result even when it ended before the watch began", async () => {
    const transport = createMemoryTransport();
    const gateway = await createGateway({ transport, port: 0, internalPort: 0 });
    try {
      const create = await fetch(`${gateway.url}/api/v1/mesh?actor=llm`, { method: "POST", body: "{}" });
      const { id } = (await create.json()) as { id: string };
      const report = (body: unknown) =>
        fetch(`${gateway.internalUrl}/api/v1/mesh/${id}/events`, {
          method: "POST",
          body: JSON.stringify(body),
        });
      await report({ type: "status", status: "running", data: { actor: "llm", progress: 50 } });
      for (const text of ["Hel", "lo"]) await report({ type: "fly", data: { text } });
      await report({ type: "status", status: "succeeded", data: { result: { answer: "Hello" } } });
      const out = { stdout: "", stderr: "" };
      const code = await runCli(["task", "watch", id, "--gateway", gateway.url], {
        stdout: { write: (s: string) => (out.stdout += s) },
        stderr: { write: (s: string) => (out.stderr += s) },
        env: {},
      });
      expect(code).toBe(0);
      expect(out.stdout).toBe('Hello\n{"answer":"Hello"}\n');
      expect(out.stderr).toContain(`task ${id} succeeded`);
      expect(out.stderr).toMatch(/\[#{15}\.{15}\] 50\/100 running \(llm\)/);

      const failed = await fetch(`${gateway.url}/api/v1/mesh?actor=llm`, { method: "POST", body: "{}" });
      const other = ((await failed.json()) as { id: string }).id;
      await fetch(`${gateway.url}/api/v1/mesh/${other}`, { method: "DELETE" });
      const quiet = { write: () => true };
      expect(
        await runCli(["task", "watch", other, "--gateway", gateway.url], {
          stdout: quiet,
          stderr: quiet,
          env: {},
        }),
      ).toBe(1);
      expect(
        await runCli(["task", "get", "nope", "--gateway", gateway.url], {
          stdout: quiet,
          stderr: quiet,
          env: {},
        }),
      ).toBe(1);
    } finally {
      await gateway.close();
      await transport.close();
    }
  });
});
