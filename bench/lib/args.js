// Tiny argv helpers shared by the bench scripts: `--name=value` numbers/strings and `--flag`.

/** `--name=N` as a number, else `fallback`. Environment `BENCH_<NAME>` (upper snake) also works. */
export function numberArg(name, fallback) {
  const raw = stringArg(name, undefined);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got ${raw}`);
  return value;
}

/** `--name=value` as a string, else env `BENCH_<NAME>`, else `fallback`. */
export function stringArg(name, fallback) {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (hit !== undefined) return hit.slice(name.length + 3);
  const env = process.env[`BENCH_${name.toUpperCase().replaceAll("-", "_")}`];
  return env === undefined || env === "" ? fallback : env;
}

/** `--name` present (or env `BENCH_<NAME>=1`). */
export function flag(name) {
  if (process.argv.includes(`--${name}`)) return true;
  const env = process.env[`BENCH_${name.toUpperCase().replaceAll("-", "_")}`];
  return env === "1" || env === "true";
}

/** Comma-separated list of numbers, e.g. `--concurrency=1,16,64`. */
export function listArg(name, fallback) {
  const raw = stringArg(name, undefined);
  return raw === undefined ? fallback : raw.split(",").map((v) => Number(v.trim()));
}
