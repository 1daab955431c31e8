// Runs every bench/*.bench.js file in turn (each prints its own table). `pnpm bench --write`
// passes --write through so scenarios can regenerate bench/RESULTS.md.

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
const files = readdirSync(here)
  .filter((file) => file.endsWith(".bench.js"))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}`);
  const result = spawnSync(process.execPath, ["--expose-gc", join(here, file), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
