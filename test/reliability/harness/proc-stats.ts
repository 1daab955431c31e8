import { readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SEC = 100;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux only); undefined once gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return (utime + stime) / CLOCK_TICKS_PER_SEC;
  } catch {
    return undefined;
  }
}

/** Samples a process's CPU use: call `stop()` for the average share of one core since `start`. */
export function startCpuMeter(pid: number): {
  stop(): { cpuSec: number; wallSec: number; coreShare: number };
} {
  const cpu0 = cpuSecondsOf(pid) ?? 0;
  const wall0 = Date.now();
  let lastCpu = cpu0;
  // Keep the last reading while the process lives (it may exit before stop()).
  const timer = setInterval(() => {
    lastCpu = cpuSecondsOf(pid) ?? lastCpu;
  }, 250);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const cpu1 = cpuSecondsOf(pid) ?? lastCpu;
      const wallSec = (Date.now() - wall0) / 1000;
      const cpuSec = cpu1 - cpu0;
      return { cpuSec, wallSec, coreShare: wallSec > 0 ? cpuSec / wallSec : 0 };
    },
  };
}
