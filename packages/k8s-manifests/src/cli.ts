import { readFile as fsReadFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isManifestError, ManifestError } from "./manifest-error.js";
import { parseAsyncActorsYaml } from "./parse-async-actor.js";
import { renderActor } from "./render-actor.js";
import { renderCrd } from "./render-crd.js";
import { parseAsyaGatewayYaml, renderGateway } from "./render-gateway.js";
import { toYaml } from "./to-yaml.js";

/** Where the CLI writes and (optionally) how it reads files. */
export interface ManifestsCliIo {
  /** Receives rendered YAML. */
  readonly stdout: (text: string) => void;
  /** Receives errors and usage. */
  readonly stderr: (text: string) => void;
  /** Reads an input file; defaults to `fs.readFile(path, "utf8")`. */
  readonly readFile?: (path: string) => Promise<string>;
}

/** Usage text of `asya manifests`. */
export const MANIFESTS_USAGE = `Usage:
  asya manifests render <actor.yaml>... [--out <dir>]   render AsyncActor specs to Kubernetes YAML
  asya manifests crd                                    print the AsyncActor CustomResourceDefinition
  asya manifests gateway <gateway.yaml>                 render an AsyaGateway spec (Deployment, Service)

  render: each file ("-" = stdin) may hold several AsyncActor documents. Without --out, all objects go to stdout
  (pipe to "kubectl apply -f -"); with --out, one <name>.yaml per actor is written to <dir>.
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The text of `file` ("-" = stdin). @throws {ManifestError} `IO_ERROR` naming the file. */
async function readInput(io: ManifestsCliIo, file: string): Promise<string> {
  const read = io.readFile ?? ((path: string) => (path === "-" ? readStdin() : fsReadFile(path, "utf8")));
  try {
    return await read(file);
  } catch (cause) {
    throw new ManifestError(`cannot read ${file}: ${(cause as Error).message}`, { code: "IO_ERROR", cause });
  }
}

interface RenderArgs {
  readonly files: string[];
  readonly outDir: string | undefined;
}

function parseRenderArgs(args: readonly string[]): RenderArgs {
  const files: string[] = [];
  let outDir: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === "--out" || arg === "-o") {
      outDir = args[++index];
      if (outDir === undefined) throw new ManifestError("--out needs a directory", { code: "USAGE" });
    } else if (arg.startsWith("--out=")) {
      outDir = arg.slice("--out=".length);
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new ManifestError(`unknown option ${arg}`, { code: "USAGE" });
    } else {
      files.push(arg);
    }
  }
  if (files.length === 0)
    throw new ManifestError("render needs at least one AsyncActor file", { code: "USAGE" });
  return { files, outDir };
}

async function render(args: readonly string[], io: ManifestsCliIo): Promise<void> {
  const { files, outDir } = parseRenderArgs(args);
  const rendered: { name: string; yaml: string }[] = [];
  for (const file of files) {
    const text = await readInput(io, file);
    const actors = parseAsyncActorsYaml(text, file);
    // An empty render would let `... | kubectl apply -f -` "succeed" while applying nothing.
    if (actors.length === 0) {
      throw new ManifestError(`${file}: no AsyncActor document found`, { code: "INVALID_SPEC" });
    }
    for (const actor of actors) {
      const objects = renderActor(actor);
      rendered.push({ name: objects[0]!.metadata.name, yaml: toYaml(objects) });
    }
  }
  if (outDir === undefined) {
    io.stdout(rendered.map((entry) => entry.yaml).join("---\n"));
    return;
  }
  const names = rendered.map((entry) => entry.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new ManifestError(`two actors are named ${duplicate}; --out writes one <name>.yaml per actor`, {
      code: "USAGE",
    });
  }
  try {
    await mkdir(outDir, { recursive: true });
    for (const entry of rendered) {
      const path = join(outDir, `${entry.name}.yaml`);
      await writeFile(path, entry.yaml);
      io.stdout(`wrote ${path}\n`);
    }
  } catch (cause) {
    throw new ManifestError(`cannot write to ${outDir}: ${(cause as Error).message}`, {
      code: "IO_ERROR",
      cause,
    });
  }
}

/**
 * Runs `asya manifests <command>` (also the `asya-manifests` bin). Never throws: errors are written to
 * `io.stderr`, each invalid field on its own line with its path.
 * @returns The exit code: 0 success, 1 invalid input or I/O failure, 2 usage error.
 * @example await runManifestsCli(["render", "actor.yaml"], { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) })
 */
export async function runManifestsCli(argv: readonly string[], io: ManifestsCliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      (command === undefined ? io.stderr : io.stdout)(MANIFESTS_USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === "crd") {
      if (rest.length > 0)
        throw new ManifestError(`crd takes no arguments, got ${rest.join(" ")}`, { code: "USAGE" });
      io.stdout(toYaml([renderCrd()]));
      return 0;
    }
    if (command === "render") {
      await render(rest, io);
      return 0;
    }
    if (command === "gateway") {
      const [file, ...extra] = rest;
      if (file === undefined || extra.length > 0) {
        throw new ManifestError("gateway takes one AsyaGateway file", { code: "USAGE" });
      }
      io.stdout(toYaml(renderGateway(parseAsyaGatewayYaml(await readInput(io, file), file))));
      return 0;
    }
    throw new ManifestError(`unknown command ${command}`, { code: "USAGE" });
  } catch (error) {
    if (!isManifestError(error)) throw error;
    io.stderr(`${error.message}\n`);
    if (error.code === "USAGE") {
      io.stderr(MANIFESTS_USAGE);
      return 2;
    }
    return 1;
  }
}
