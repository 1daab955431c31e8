import { execFile } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createFileStateStore } from "@asya/state";
import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "asya-state-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("keeps one JSON file per key under a safe name, and leaves no temp or lock files", async () => {
  const store = createFileStateStore({ dir: join(dir, "layout"), fsync: false });
  await store.put("Task/1 ü", { step: 3 }, { ttlMs: 60_000 });
  await store.putIfAbsent("plain-key_1", [1]);
  expect(readdirSync(join(dir, "layout")).sort()).toEqual(["%54ask%2F1%20%C3%BC.json", "plain-key_1.json"]);
  const entry = JSON.parse(readFileSync(join(dir, "layout", "%54ask%2F1%20%C3%BC.json"), "utf8"));
  expect(entry).toMatchObject({ key: "Task/1 ü", value: { step: 3 } });
  expect(Date.parse(entry.expires_at) - Date.now()).toBeGreaterThan(50_000);
  expect(JSON.parse(readFileSync(join(dir, "layout", "plain-key_1.json"), "utf8"))).toEqual({
    key: "plain-key_1",
    expires_at: null,
    value: [1],
  });
});

it("stores with different prefixes share a directory without seeing each other's keys", async () => {
  const a = createFileStateStore({ dir: join(dir, "shared"), prefix: "a:" });
  const b = createFileStateStore({ dir: join(dir, "shared"), prefix: "b:" });
  await a.put("k", "from a");
  expect(await b.get("k")).toBeUndefined();
  expect(await b.putIfAbsent("k", "from b")).toBe(true);
  expect(await a.listByPrefix("")).toEqual(["k"]);
  expect(await a.get("k")).toBe("from a");
});

it("breaks a lock left by a crashed process once it is stale", async () => {
  const store = createFileStateStore({ dir: join(dir, "stale") });
  await store.put("k", "old", { ttlMs: 1 });
  const lock = join(dir, "stale", "k.json.lock");
  writeFileSync(lock, "12345 crashed");
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  expect(await store.putIfAbsent("k", "new")).toBe(true);
  expect(await store.get("k")).toBe("new");
  expect(existsSync(lock)).toBe(false);
});

// Separate processes, as in production (the conformance suite races instances in one process).
// They run the built package: `pnpm test` builds first.
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** Source files (not the suite) whose build output is missing or older. */
function staleOutputs(srcDir = fileURLToPath(new URL("../src", import.meta.url))): string[] {
  return readdirSync(srcDir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts") && !file.startsWith("testing"))
    .filter((file) => {
      const output = join(srcDir, "..", "dist", file.replace(/\.ts$/, ".js"));
      return !existsSync(output) || statSync(output).mtimeMs < statSync(join(srcDir, file)).mtimeMs;
    });
}

it("of putIfAbsent calls from 4 processes, exactly one wins per key, also for expired keys", async () => {
  expect(staleOutputs(), "packages/state/dist is missing or older than src: run `pnpm build` first").toEqual(
    [],
  );
  const shared = join(dir, "processes");
  // Four keys that expire at once are written first (here: a child that started late would
  // otherwise rewrite its key after the race), then, at one moment, all race to create 24 keys.
  const seed = createFileStateStore({ dir: shared });
  for (const id of [0, 1, 2, 3]) await seed.put(`expired-${id}`, 0, { ttlMs: 1 });
  await seed.close();
  const script = `
    import { createFileStateStore } from ${JSON.stringify(built)};
    const store = createFileStateStore({ dir: ${JSON.stringify(shared)} });
    const [id, startAt] = [Number(process.argv[1]), Number(process.argv[2])];
    await new Promise((resolve) => setTimeout(resolve, startAt - Date.now()));
    const keys = [...Array(20).keys()].map((k) => "fresh/" + k).concat([...Array(4).keys()].map((k) => "expired-" + k));
    const won = [];
    for (const key of keys) if (await store.putIfAbsent(key, id)) won.push(key);
    process.stdout.write(JSON.stringify(won));
  `;
  const startAt = Date.now() + 1_000;
  const run = promisify(execFile);
  const outputs = await Promise.all(
    [0, 1, 2, 3].map((id) =>
      run(process.execPath, ["--input-type=module", "-e", script, String(id), String(startAt)], {
        cwd: dirname(built),
      }),
    ),
  );
  const wins = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
  expect(wins.sort()).toEqual(
    [
      ...[0, 1, 2, 3].map((k) => `expired-${k}`),
      ...[...Array(20).keys()].map((k) => `fresh/${k}`).sort(),
    ].sort(),
  );
  const store = createFileStateStore({ dir: shared });
  expect(await store.listByPrefix("fresh/")).toHaveLength(20);
}, 20_000);
