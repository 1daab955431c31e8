// Collects a scenario's markdown output and prints it. bench/run.js captures every scenario's
// stdout to regenerate bench/RESULTS.md, so scenarios just print.

import { machineLine } from "./machine.js";
import { processPeakRss } from "./rss.js";
import { fmtMiB } from "./stats.js";

/** Prints a scenario heading with the exact command and the machine facts. */
export function heading(title, description) {
  const command = `node ${process.argv
    .slice(1)
    .map((a) => a.replace(/^.*\/bench\//, "bench/"))
    .join(" ")}`;
  console.log(`### ${title}\n`);
  if (description) console.log(`${description}\n`);
  console.log(`Command: \`${command}\` — ${new Date().toISOString()}  \nMachine: ${machineLine()}\n`);
}

/** Prints the closing line with the process's peak RSS. */
export function footer(extra = "") {
  console.log(`\nProcess peak RSS: ${fmtMiB(processPeakRss())}${extra ? ` — ${extra}` : ""}\n`);
}
