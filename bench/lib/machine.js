// Machine facts printed with every result set.

import { cpus, freemem, loadavg, totalmem } from "node:os";

/** { node, cpu, cores, memory, load } of this machine right now. */
export function machineFacts() {
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB (free ${(freemem() / 1024 ** 3).toFixed(1)} GiB)`,
    load: loadavg()
      .map((l) => l.toFixed(2))
      .join(" / "),
  };
}

/** One markdown line of machine facts. */
export function machineLine() {
  const f = machineFacts();
  return `Node ${f.node}, ${f.cpu}, ${f.cores} cores, ${f.memory}, load avg (1/5/15 min) ${f.load}`;
}
