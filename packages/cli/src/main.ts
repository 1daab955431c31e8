#!/usr/bin/env node
import { runCli } from "./run-cli.js";

// The bin is a thin shell over runCli: it wires process streams, env and signals.
const shutdownSignal = new Promise<void>((resolve) => {
  process.once("SIGTERM", () => resolve());
  process.once("SIGINT", () => resolve());
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  shutdownSignal,
});
process.exit(code);
