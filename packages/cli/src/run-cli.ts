import { parseArgs } from "node:util";
import type { CliIo } from "./cli-io.js";
import { configFromEnv } from "./config/config-from-env.js";
import { replayFromFile } from "./replay-command.js";
import { runActorFromEnv } from "./run-command.js";
import { sendEnvelopes } from "./send-command.js";
import { tailSink } from "./sink-tail.js";

// The demo, the gateway and the task client load on use: `asya run`, what every actor process
// starts with, does not pay for the gateway's modules (MCP, A2A, HTTP) it never runs.
const callCommand = () => import("./call-command.js");

/** Usage text of the `asya` bin. */
export const USAGE = `usage: asya <command>

  run [--crew x-sink|x-sump|x-pause|x-resume|fan-in] [--handler mod#fn] [--name actor]
                          run one actor configured from ASYA_* env vars (SIGTERM/SIGINT drain, exit 0)
  send <actor> --payload JSON [--route a,b,c] [--count N] [--id ID]
                          publish envelopes addressed to <actor>
  demo [--gateway]        run the demo pipeline in-process on the memory transport (through a gateway)
  sink tail [--file F] [--follow]
                          print results stored by x-sink (ASYA_SINK_FILE)
  replay <id> [--to actor] [--file F]
                          re-inject a failed envelope from x-sump's store (ASYA_SUMP_FILE)
  manifests ...           render Kubernetes manifests (needs @asya/k8s-manifests)
  flow compile|graph|run <file.ts> ...
                          compile a TypeScript flow into routers, graph and manifests, print its
                          Mermaid graph, or run it locally on the memory transport (needs @asya/flow)
  gateway                 run the mesh API (ASYA_GATEWAY_* env vars; SIGTERM/SIGINT stops)
  serve-handler           serve ASYA_HANDLER on a Unix socket with Asya's runtime protocol (ASYA_SOCKET_DIR)
  call <tool|actor> --payload JSON [--gateway URL]
                          start a task through the gateway and follow it live (exit 1 unless it succeeds)
  task get|watch|cancel <id> | task resume <id> --input JSON | task list [--status S]
                          read, follow, cancel, answer (resume) or list tasks at the gateway
`;

/**
 * The `asya` command line, as a function: returns the exit code. Errors are printed, not thrown.
 *
 * @example process.exitCode = await runCli(process.argv.slice(2), io);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        const { values } = parseArgs({
          args: rest,
          options: { crew: { type: "string" }, handler: { type: "string" }, name: { type: "string" } },
        });
        return await runActorFromEnv(io, {
          ...(values.crew === undefined ? {} : { crew: values.crew }),
          ...(values.handler === undefined ? {} : { handler: values.handler }),
          ...(values.name === undefined ? {} : { name: values.name }),
        });
      }
      case "send": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            payload: { type: "string" },
            route: { type: "string" },
            count: { type: "string" },
            id: { type: "string" },
          },
        });
        const actor = positionals[0];
        if (actor === undefined || values.payload === undefined) {
          io.stderr.write("usage: asya send <actor> --payload JSON [--route a,b,c] [--count N]\n");
          return 2;
        }
        await sendEnvelopes(io, {
          actor,
          payload: values.payload,
          ...(values.route === undefined ? {} : { route: values.route.split(",").filter((a) => a !== "") }),
          ...(values.count === undefined ? {} : { count: Number(values.count) }),
          ...(values.id === undefined ? {} : { id: values.id }),
        });
        return 0;
      }
      case "demo": {
        const { values } = parseArgs({ args: rest, options: { gateway: { type: "boolean" } } });
        const { runDemo } = await import("./demo/run-demo.js");
        await runDemo({ write: (line) => io.stdout.write(`${line}\n`), gateway: values.gateway === true });
        return 0;
      }
      case "sink": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { file: { type: "string" }, follow: { type: "boolean", short: "f" } },
        });
        if (positionals[0] !== "tail") {
          io.stderr.write("usage: asya sink tail [--file F] [--follow]\n");
          return 2;
        }
        const file = values.file ?? configFromEnv(io.env).sinkFile;
        await tailSink(io, { file, follow: values.follow === true });
        return 0;
      }
      case "replay": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { to: { type: "string" }, file: { type: "string" } },
        });
        const id = positionals[0];
        if (id === undefined) {
          io.stderr.write("usage: asya replay <id> [--to actor] [--file F]\n");
          return 2;
        }
        return await replayFromFile(io, {
          id,
          ...(values.to === undefined ? {} : { to: values.to }),
          ...(values.file === undefined ? {} : { file: values.file }),
        });
      }
      case "manifests":
        return await runManifests(rest, io);
      case "flow":
        return await runFlow(rest, io);
      case "gateway":
        return await (await import("./gateway-command.js")).runGatewayFromEnv(io);
      case "serve-handler":
        return await (await import("./serve-handler-command.js")).serveHandlerFromEnv(io);
      case "call": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { payload: { type: "string" }, gateway: { type: "string" } },
        });
        const name = positionals[0];
        if (name === undefined || values.payload === undefined) {
          io.stderr.write("usage: asya call <tool|actor> --payload JSON [--gateway URL]\n");
          return 2;
        }
        let payload: unknown;
        try {
          payload = JSON.parse(values.payload);
        } catch (error) {
          io.stderr.write(`[asya:cli] --payload is not JSON: ${(error as Error).message}\n`);
          return 2;
        }
        const { createTask, gatewayClientConfig, watchTask } = await callCommand();
        const config = gatewayClientConfig(io.env, values.gateway);
        const id = await createTask(config, name, payload);
        io.stderr.write(`task ${id}\n`);
        return await watchTask(config, id, io);
      }
      case "task": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            gateway: { type: "string" },
            status: { type: "string" },
            limit: { type: "string" },
            offset: { type: "string" },
            input: { type: "string" },
          },
        });
        const [action, id] = positionals;
        const { gatewayClientConfig, resumeTask, taskRequest, watchTask } = await callCommand();
        const config = gatewayClientConfig(io.env, values.gateway);
        if (action === "list") {
          return await taskRequest(
            config,
            "list",
            undefined,
            { status: values.status, limit: values.limit, offset: values.offset },
            io,
          );
        }
        if (action === "resume" && id !== undefined && values.input !== undefined) {
          return await resumeTask(config, id, values.input, io);
        }
        if ((action === "get" || action === "watch" || action === "cancel") && id !== undefined) {
          return action === "watch"
            ? await watchTask(config, id, io)
            : await taskRequest(config, action, id, {}, io);
        }
        io.stderr.write(
          "usage: asya task get|watch|cancel <id> | asya task resume <id> --input JSON | asya task list [--status S] [--limit N]\n",
        );
        return 2;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

type ManifestsModule = {
  runManifestsCli?: (
    argv: string[],
    io: { stdout: (text: string) => void; stderr: (text: string) => void },
  ) => Promise<number>;
};

type FlowModule = {
  runFlowCli?: (
    argv: string[],
    io: {
      stdout: (text: string) => void;
      stderr: (text: string) => void;
      ask?: ((question: string) => Promise<string>) | undefined;
    },
  ) => Promise<number>;
  terminalAsk?: () => ((question: string) => Promise<string>) | undefined;
};

async function runFlow(argv: readonly string[], io: CliIo): Promise<number> {
  let module: FlowModule;
  try {
    // The loader first: flows and their handlers are TypeScript.
    await import("@asya/flow/register" as string);
    module = (await import("@asya/flow/cli" as string)) as FlowModule;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      io.stderr.write("[asya:runtime] `asya flow` needs @asya/flow: npm install @asya/flow\n");
      return 1;
    }
    throw error;
  }
  if (typeof module.runFlowCli !== "function") {
    io.stderr.write("[asya:runtime] @asya/flow does not export runFlowCli\n");
    return 1;
  }
  return module.runFlowCli([...argv], {
    stdout: (text) => void io.stdout.write(text),
    stderr: (text) => void io.stderr.write(text),
    ask: io.stdout === process.stdout ? module.terminalAsk?.() : undefined,
  });
}

async function runManifests(argv: readonly string[], io: CliIo): Promise<number> {
  const specifier = "@asya/k8s-manifests";
  let module: ManifestsModule;
  try {
    module = (await import(specifier)) as ManifestsModule;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      io.stderr.write(
        "[asya:runtime] `asya manifests` needs @asya/k8s-manifests: npm install @asya/k8s-manifests\n",
      );
      return 1;
    }
    throw error;
  }
  if (typeof module.runManifestsCli !== "function") {
    io.stderr.write("[asya:runtime] @asya/k8s-manifests does not export runManifestsCli\n");
    return 1;
  }
  return module.runManifestsCli([...argv], {
    stdout: (text) => void io.stdout.write(text),
    stderr: (text) => void io.stderr.write(text),
  });
}
