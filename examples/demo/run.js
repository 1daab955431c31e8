#!/usr/bin/env node
// `pnpm demo`: the whole pipeline in one process on the in-memory transport, no broker needed.
// The handlers live in @asya/cli/demo (packages/cli/src/demo/handlers.ts) so `asya run` can
// load the very same functions against RabbitMQ (see packages/cli/README.md).
import { runDemo } from "@asya/cli/demo";

try {
  await runDemo({ logLevel: process.env.ASYA_LOG_LEVEL ?? "silent" });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
