/** Prints one scenario's figures as a single greppable line plus a JSON object. */
export function printFigures(scenario: string, figures: Record<string, unknown>): void {
  const line = Object.entries(figures)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    .join(" ");
  process.stdout.write(`[reliability] ${scenario}: ${line}\n`);
}

/** Milliseconds since `startMs`, rounded. */
export function elapsedMs(startMs: number): number {
  return Math.round(Date.now() - startMs);
}
