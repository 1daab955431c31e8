import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Handler } from "@asya/runtime";
import { createHandlerServer } from "@asya/runtime/remote";
import type { CliIo } from "./cli-io.js";
import { fail, get } from "./config/env-values.js";
import { loadHandler } from "./config/load-handler.js";

/**
 * `asya serve-handler`: serves the `ASYA_HANDLER` function with Asya's runtime protocol (SPEC
 * section 9) on `ASYA_SOCKET_DIR`/`ASYA_SOCKET_NAME` (default `/var/run/asya/asya-runtime.sock`),
 * writing `runtime-ready` once it listens, so Asya's Go sidecar (or `asya run` with
 * `ASYA_HANDLER_SOCKET`) calls it; runs until `io.shutdownSignal`.
 * @throws RuntimeConfigError naming the variable.
 */
export async function serveHandlerFromEnv(io: CliIo): Promise<number> {
  const spec = get(io.env, "ASYA_HANDLER");
  if (spec === undefined) fail("ASYA_HANDLER", "required: the handler to serve (./dist/handler.js#process)");
  const dir = get(io.env, "ASYA_SOCKET_DIR") ?? "/var/run/asya";
  const name = get(io.env, "ASYA_SOCKET_NAME") ?? "asya-runtime.sock";
  if (name.includes("/"))
    fail("ASYA_SOCKET_NAME", "a file name, without a directory (that is ASYA_SOCKET_DIR)");
  const handler = await loadHandler(spec as string);
  await mkdir(dir, { recursive: true });
  const server = await createHandlerServer({
    handler: handler as Handler<never>,
    socketPath: join(dir, name),
  });
  io.stderr.write(`asya serve-handler: ${spec} on ${server.socketPath} (runtime-ready written)\n`);
  await (io.shutdownSignal ?? new Promise<never>(() => undefined));
  await server.close();
  return 0;
}
