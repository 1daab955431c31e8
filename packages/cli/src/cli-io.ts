/** Streams and environment the CLI uses (injectable for tests). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process should stop (SIGTERM/SIGINT in the real CLI). */
  readonly shutdownSignal?: Promise<void>;
}

/** Renders a one-line progress bar (`[#####.....] 50/100`). */
export function progressBar(done: number, total: number, width = 30): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`;
}
