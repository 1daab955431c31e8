// Prints each distinct process warning once (bench/run.js starts scenarios with --no-warnings, so
// Node's default printer is off; repeated warnings such as MaxListenersExceededWarning from a hot
// path would otherwise flood the output).

const seen = new Set();
process.on("warning", (warning) => {
  const key = `${warning.name}: ${warning.message}`;
  if (seen.has(key)) return;
  seen.add(key);
  process.stderr.write(`(warning, printed once) ${key}\n`);
});
