import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";
import { type LocalRegistry, startLocalRegistry } from "../setup/verdaccio.js";
import { snapshotWorkspace } from "./workspace-copy.js";

// What a Node developer meets: our packages published with `pnpm release` (changesets version +
// publish) to a private verdaccio, then installed with plain npm into a project outside the
// workspace, type-checked under their compiler settings, and run.
const execFileAsync = promisify(execFile);
const TSC = join(REPO_ROOT, "node_modules/.bin/tsc");
const PACKAGES = readdirSync(join(REPO_ROOT, "packages")).map(
  (folder) =>
    (
      JSON.parse(readFileSync(join(REPO_ROOT, "packages", folder, "package.json"), "utf8")) as {
        name: string;
      }
    ).name,
);

let registry: LocalRegistry;
let root: string;

/** Runs a command; a non-zero exit throws with its whole output (the assertion is what it printed). */
/**
 * The environment of a user's shell: ours minus NODE_PATH, which pnpm's bin shims point at the
 * workspace's `.pnpm/node_modules` (every workspace package would then resolve from the app).
 */
function userEnv(): NodeJS.ProcessEnv {
  const { NODE_PATH: _workspace, ...env } = process.env;
  return env;
}

async function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, [...args], {
      cwd,
      env: { ...userEnv(), npm_config_registry: registry.url, npm_config_update_notifier: "false", ...env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    });
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout?: string; stderr?: string; code?: unknown };
    throw new Error(
      `${command} ${args.join(" ")} failed (${String(code)}) in ${cwd}:\n${stdout ?? ""}\n${stderr ?? ""}`,
    );
  }
}

/** Like {@link run}, but returns the exit code and output instead of throwing. */
async function exitOf(command: string, args: readonly string[], cwd: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(command, args, cwd, env);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    return { code: 1, output: (error as Error).message };
  }
}

const CONSUMER_TS = `import { createEnvelope, encodeEnvelope, queueName } from "@asya/envelope";
import { createActor, type HandlerContext } from "@asya/runtime";
import { createEnvelopeSpy } from "@asya/runtime/testing";
import { createMemoryTransport } from "@asya/transport";
import type { RabbitMqTransportOptions } from "@asya/transport-rabbitmq";

// Type-only use of an adapter's options, as an app that configures it would write.
export const rabbit: RabbitMqTransportOptions = { url: "amqp://127.0.0.1:5672", prefetch: 8 };

const transport = createMemoryTransport();
const spy = createEnvelopeSpy(transport);
const actor = createActor({
  name: "shout",
  transport,
  logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
  handler: (payload: { text: string }, ctx: HandlerContext) => ({ text: payload.text.toUpperCase(), by: ctx.actor }),
});
await actor.start();
const envelope = createEnvelope({ id: "c-1", route: ["shout"], payload: { text: "hi" } });
await transport.publish(queueName("shout"), { body: encodeEnvelope(envelope) });
const done = await spy.waitFor("c-1", { to: "x-sink" });
console.log(JSON.stringify(done.envelope?.payload));
await actor.stop();
await transport.close();
`;

const TSCONFIGS = {
  "tsconfig.nodenext.json": {
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      target: "es2023",
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      types: ["node"],
      outDir: "dist",
    },
    files: ["consumer.ts"],
  },
  // Bundler resolution, plus our workspace-only source condition set: it must not exist in what we publish.
  "tsconfig.bundler.json": {
    compilerOptions: {
      module: "esnext",
      moduleResolution: "bundler",
      target: "es2023",
      strict: true,
      skipLibCheck: false,
      types: ["node"],
      customConditions: ["@asya/source"],
      noEmit: true,
    },
    files: ["consumer.ts"],
  },
};

beforeAll(async () => {
  registry = await startLocalRegistry();
  root = mkdtempSync(join(tmpdir(), "asya-consumer-"));
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe("packages a Node developer installs from npm", () => {
  it("`pnpm release` versions and publishes every package, workspace ranges rewritten", async () => {
    const repo = join(root, "repo");
    await snapshotWorkspace(repo);
    registry.writeNpmrc(repo);
    await run("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=silent"], repo);
    writeFileSync(
      join(repo, ".changeset", "consumer-check.md"),
      `---\n${PACKAGES.map((name) => `"${name}": patch`).join("\n")}\n---\n\nConsumer check release.\n`,
    );
    await run("pnpm", ["release"], repo);
    for (const name of PACKAGES) {
      const response = await fetch(`${registry.url}${name.replace("/", "%2f")}`);
      expect(response.status, `${name} on the registry`).toBe(200);
      const document = (await response.json()) as {
        "dist-tags": { latest: string };
        versions: Record<string, Record<string, Record<string, string> | undefined>>;
      };
      expect(document["dist-tags"].latest).toBe("0.1.1");
      const published = document.versions["0.1.1"] ?? {};
      for (const field of ["dependencies", "peerDependencies"]) {
        for (const [dependency, range] of Object.entries(published[field] ?? {})) {
          expect(range, `${name} ${field}.${dependency}`).not.toMatch(/^workspace:/);
        }
      }
    }
  }, 300_000);

  it("installs with npm, type-checks under nodenext and bundler (skipLibCheck off), and runs", async () => {
    const app = join(root, "app");
    mkdirSync(app);
    registry.writeNpmrc(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    const install = [
      "@asya/runtime",
      "@asya/cli",
      "@asya/envelope",
      "@asya/transport",
      "@asya/transport-rabbitmq",
      "amqplib",
    ];
    await run("npm", ["install", "--no-audit", "--no-fund", ...install, "@types/node@20"], app);
    // The second install is where an unmet peer range (amqplib 2.x) used to fail hard.
    await run("npm", ["install", "--no-audit", "--no-fund"], app);
    const runtime = JSON.parse(
      readFileSync(join(app, "node_modules/@asya/runtime/package.json"), "utf8"),
    ) as {
      version: string;
      exports: Record<string, Record<string, string>>;
    };
    expect(runtime.version).toBe("0.1.1");
    expect(JSON.stringify(runtime.exports)).not.toContain("@asya/source");
    expect(existsSync(join(app, "node_modules/@asya/runtime/dist/.tsbuildinfo"))).toBe(false);
    expect(existsSync(join(app, "node_modules/@asya/runtime/LICENSE"))).toBe(true);

    writeFileSync(join(app, "consumer.ts"), CONSUMER_TS);
    for (const [file, config] of Object.entries(TSCONFIGS)) {
      writeFileSync(join(app, file), JSON.stringify(config, null, 2));
      await run(TSC, ["-p", file], app);
    }
    const { stdout } = await run("node", ["dist/consumer.js"], app);
    expect(JSON.parse(stdout.trim())).toEqual({ text: "HI", by: "shout" });

    const demo = await run("npx", ["asya", "demo"], app);
    expect(demo.stdout).toMatch(/^summary: /m);

    // Manifests: the adapter renders its own variables and KEDA trigger from its SDK-free
    // `/kubernetes` entry point (required from the published dist); an adapter that is not
    // installed is named.
    await run("npm", ["install", "--no-audit", "--no-fund", "@asya/k8s-manifests"], app);
    for (const file of ["pipeline.yaml", "sqs-actor.yaml"]) {
      writeFileSync(join(app, file), readFileSync(join(REPO_ROOT, "examples/k8s", file)));
    }
    const rendered = await run("npx", ["asya", "manifests", "render", "pipeline.yaml"], app);
    expect(rendered.stdout).toContain("kind: ScaledObject");
    expect(rendered.stdout).toMatch(
      /protocol: amqp\n\s+queueName: asya-text-clean\n\s+value: "5"\n\s+name: queue\n\s+type: rabbitmq/,
    );
    expect(rendered.stdout).toContain("name: ASYA_RABBITMQ_URL");
    const noSqs = await exitOf("npx", ["asya", "manifests", "render", "sqs-actor.yaml"], app, {});
    expect(noSqs.code).not.toBe(0);
    expect(noSqs.output).toContain(
      "[asya:k8s-manifests] transport sqs is rendered by @asya/transport-sqs (its variables and KEDA trigger): install it with `npm install @asya/transport-sqs`",
    );

    // A flow, as a TypeScript developer tries one: no build step, `asya flow` before @asya/flow is
    // installed names it, after it runs the .ts flow and its .ts handlers (TypeScript 5.9 comes
    // with it under its npm alias).
    for (const file of ["triage.ts", "handlers.ts"]) {
      writeFileSync(join(app, file), readFileSync(join(REPO_ROOT, "examples/flows", file)));
    }
    const args = ["asya", "flow", "run", "triage.ts", "--payload", '{"text":"ab"}', "--json"];
    const noFlow = await exitOf("npx", args, app, {});
    expect(noFlow.output).toContain("`asya flow` needs @asya/flow: npm install @asya/flow");
    await run("npm", ["install", "--no-audit", "--no-fund", "@asya/flow"], app);
    const flowRun = await run("npx", args, app);
    expect(JSON.parse(flowRun.stdout.trim().split("\n").at(-1) ?? "")).toEqual({
      result: { text: "ab", confidence: 0.2, chunks: ["ab"], seen: 1 },
      calls: ["classify"],
    });
  }, 300_000);

  it("names the missing SDK when an adapter is installed without it", async () => {
    const app = join(root, "app");
    const actor = {
      ASYA_ACTOR_NAME: "clean",
      ASYA_HANDLER: "@asya/cli/demo#clean",
      ASYA_HEALTH_PORT: "0",
      ASYA_LOG_LEVEL: "error",
    };
    // --legacy-peer-deps: npm leaves peers out, as an app that forgot them would. First the
    // runtime's own peer (@opentelemetry/api) is missing, then the adapter's SDK.
    const legacy = ["install", "--no-audit", "--no-fund", "--legacy-peer-deps"];
    await run("npm", [...legacy, "@asya/transport-sqs"], app);
    expect(existsSync(join(app, "node_modules/@aws-sdk/client-sqs"))).toBe(false);
    const noOtel = await exitOf("npx", ["asya", "run"], app, actor);
    expect(noOtel.code).not.toBe(0);
    expect(noOtel.output).toContain(
      "[asya:runtime] cannot start: @opentelemetry/api is not installed (a dependency of @asya/cli or @asya/runtime; npm installs peers unless --legacy-peer-deps): `npm install @opentelemetry/api`",
    );
    await run("npm", [...legacy, "@opentelemetry/api"], app);
    const sqs = await exitOf("npx", ["asya", "run"], app, {
      ...actor,
      ASYA_TRANSPORT: "sqs",
      AWS_REGION: "us-east-1",
    });
    expect(sqs.code).not.toBe(0);
    expect(sqs.output).toContain(
      "[asya:runtime] ASYA_TRANSPORT=sqs: @asya/transport-sqs is installed but @aws-sdk/client-sqs (which it imports) is not: install it with `npm install @aws-sdk/client-sqs`",
    );

    rmSync(join(app, "node_modules/amqplib"), { recursive: true, force: true });
    const rabbit = await exitOf("npx", ["asya", "run"], app, {
      ...actor,
      ASYA_TRANSPORT: "rabbitmq",
      ASYA_RABBITMQ_URL: "amqp://guest:guest@127.0.0.1:1",
    });
    expect(rabbit.code).not.toBe(0);
    expect(rabbit.output).toContain(
      "[asya:rabbitmq] amqplib is not installed: `npm install amqplib` (the peer dependency of @asya/transport-rabbitmq)",
    );
    expect(rabbit.output).not.toContain("Cannot find package 'amqplib'");
  }, 300_000);
});
