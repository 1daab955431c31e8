// Runs every bench/*.bench.js file in turn (each prints its own markdown) and, with --write,
// regenerates bench/RESULTS.md: each scenario's output replaces its own marked section, so a
// partial run (`node bench/run.js runtime-memory --write`) keeps the other sections, and the
// hand-written analysis outside the markers is kept.
//   pnpm bench [name-filter ...] [--write] [scenario flags, passed through]

import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { machineLine } from "./lib/machine.js";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const write = args.includes("--write");
const only = args.filter((arg) => !arg.startsWith("--"));
const passThrough = args.filter((arg) => arg.startsWith("--"));
const files = readdirSync(here)
  .filter((file) => file.endsWith(".bench.js"))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

/** Runs one scenario, teeing its stdout; resolves { code, output }. */
function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", "--no-warnings", join(here, file), ...passThrough],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const startMarker = (file) => `<!-- bench:${file} -->`;
const endMarker = (file) => `<!-- /bench:${file} -->`;

function updateResults(sections) {
  const path = join(here, "RESULTS.md");
  let text = existsSync(path)
    ? readFileSync(path, "utf8")
    : "# Benchmark results\n\n<!-- bench:header -->\n<!-- /bench:header -->\n\n## Analysis\n\n(none yet)\n";
  const replace = (key, body) => {
    const start = startMarker(key);
    const end = endMarker(key);
    const block = `${start}\n${body.trim()}\n${end}`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i >= 0 && j > i) {
      text = text.slice(0, i) + block + text.slice(j + end.length);
    } else {
      // New scenario: insert before the analysis section.
      const anchor = text.indexOf("## Analysis");
      const at = anchor >= 0 ? anchor : text.length;
      text = `${text.slice(0, at)}${block}\n\n${text.slice(at)}`;
    }
  };
  replace(
    "header",
    [
      `Last regenerated ${new Date().toISOString()} by \`node bench/run.js ${args.join(" ")}\` (\`pnpm bench\` = build, then this). Sections from earlier runs keep their own command line.`,
      "",
      `Machine: ${machineLine()}`,
      "",
      "Every A/B pair runs interleaved, at least 5 rounds, and reports the median (the scenario files",
      "built on bench/lib rotate the order each round, A B / B A, after a warm-up round). Ratio = ours /",
      "baseline: above 1 is better for throughput, below 1 is better for latency and time. The machine is",
      "shared (2 cores), so single figures are noisy and the ratios are what to read. Each section",
      "names the exact command that produced it.",
    ].join("\n"),
  );
  for (const { file, output, code } of sections) {
    const status =
      code === 0 ? "" : `\n\n**This scenario exited with code ${code}; figures above may be partial.**`;
    replace(file, `## ${file}\n\n${output.trim()}${status}`);
  }
  writeFileSync(path, text);
  console.log(`\nwrote ${path}`);
}

let failed = 0;
const sections = [];
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const result = await runOne(file);
  if (result.code !== 0) failed += 1;
  sections.push({ file, ...result });
}
if (write) updateResults(sections);
process.exit(failed === 0 ? 0 : 1);
