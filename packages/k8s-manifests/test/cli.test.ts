import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runManifestsCli } from "@asya/k8s-manifests";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { EXAMPLES_DIR, exampleText } from "./helpers/examples.js";

function capture(files: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (s: string) => void out.push(s),
      stderr: (s: string) => void err.push(s),
      readFile: async (path: string) => {
        const text = files[path];
        if (text === undefined) throw new Error(`ENOENT: no such file ${path}`);
        return text;
      },
    },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

const kinds = (yaml: string) => parseAllDocuments(yaml).map((d) => (d.toJS() as { kind: string }).kind);

describe("runManifestsCli", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("render prints every actor's objects as one YAML stream", async () => {
    const c = capture({ "pipeline.yaml": exampleText("pipeline.yaml") });
    expect(await runManifestsCli(["render", "pipeline.yaml"], c.io)).toBe(0);
    expect(kinds(c.stdout())).toEqual(
      Array.from({ length: 3 }, () => [
        "ServiceAccount",
        "Deployment",
        "TriggerAuthentication",
        "ScaledObject",
      ]).flat(),
    );
    expect(c.stderr()).toBe("");
  });

  it("render reads real files by default and writes one file per actor with --out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "asya-manifests-"));
    dirs.push(dir);
    const c = { out: [] as string[], err: [] as string[] };
    const io = { stdout: (s: string) => void c.out.push(s), stderr: (s: string) => void c.err.push(s) };
    const file = new URL("pipeline.yaml", EXAMPLES_DIR).pathname;
    expect(await runManifestsCli(["render", file, "--out", join(dir, "out")], io)).toBe(0);
    expect((await readdir(join(dir, "out"))).sort()).toEqual(["clean.yaml", "enrich.yaml", "judge.yaml"]);
    expect(kinds(await readFile(join(dir, "out", "judge.yaml"), "utf8"))).toContain("ScaledObject");
    expect(c.out.join("")).toContain(`wrote ${join(dir, "out", "clean.yaml")}`);
  });

  it("--out refuses two actors that would write the same file", async () => {
    const text = exampleText("sqs-actor.yaml");
    const c = capture({ "a.yaml": text, "b.yaml": text });
    expect(
      await runManifestsCli(["render", "a.yaml", "b.yaml", "--out", "/nonexistent/never-created"], c.io),
    ).toBe(2);
    expect(c.stderr()).toContain("two actors are named thumbnail");
  });

  it("crd prints the CustomResourceDefinition", async () => {
    const c = capture();
    expect(await runManifestsCli(["crd"], c.io)).toBe(0);
    const [crd] = parseAllDocuments(c.stdout()).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(crd).toMatchObject({
      kind: "CustomResourceDefinition",
      metadata: { name: "asyncactors.asya.sh" },
    });
  });

  it("an invalid spec exits 1 and names each bad field with its path", async () => {
    const text = exampleText("sqs-actor.yaml").replace("maxReplicaCount: 50", "maxReplicaCount: -3");
    const c = capture({ "bad.yaml": text });
    expect(await runManifestsCli(["render", "bad.yaml"], c.io)).toBe(1);
    expect(c.stderr()).toContain("[asya:k8s-manifests] invalid bad.yaml (document 1):");
    expect(c.stderr()).toContain("spec.scaling.maxReplicaCount:");
    expect(c.stdout()).toBe("");
  });

  it("malformed YAML and missing files exit 1", async () => {
    const c = capture({ "broken.yaml": "spec: [unclosed" });
    expect(await runManifestsCli(["render", "broken.yaml"], c.io)).toBe(1);
    expect(c.stderr()).toContain("broken.yaml: document 1 is not valid YAML");
    expect(await runManifestsCli(["render", "missing.yaml"], c.io)).toBe(1);
    expect(c.stderr()).toContain("cannot read missing.yaml");
  });

  it("a file without any AsyncActor document exits 1 instead of rendering nothing", async () => {
    const c = capture({ "empty.yaml": "# nothing here\n---\n" });
    expect(await runManifestsCli(["render", "empty.yaml"], c.io)).toBe(1);
    expect(c.stderr()).toContain("empty.yaml: no AsyncActor document found");
    expect(c.stdout()).toBe("");
  });

  it("usage errors exit 2 with the usage text; --help exits 0", async () => {
    for (const argv of [
      [],
      ["render"],
      ["deploy"],
      ["render", "a.yaml", "--bogus"],
      ["crd", "extra"],
      ["render", "a.yaml", "--out"],
    ]) {
      const c = capture();
      expect(await runManifestsCli(argv, c.io), argv.join(" ")).toBe(2);
      expect(c.stderr()).toContain("Usage:");
    }
    const help = capture();
    expect(await runManifestsCli(["--help"], help.io)).toBe(0);
    expect(help.stdout()).toContain("asya manifests render");
  });
});
