#!/usr/bin/env node
import { runManifestsCli } from "./cli.js";

process.exitCode = await runManifestsCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
