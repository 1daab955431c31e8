import { open, stat } from "node:fs/promises";
import type { CliIo } from "./cli-io.js";

/** Options of {@link tailSink}. */
export interface TailOptions {
  readonly file: string;
  /** Keep following appended lines until `io.shutdownSignal`. @default false */
  readonly follow?: boolean;
  /** @default 250 */
  readonly pollMs?: number;
}

/** `asya sink tail`: prints one summary line per stored result; with `follow`, waits for more. */
export async function tailSink(io: CliIo, options: TailOptions): Promise<void> {
  let offset = 0;
  let partial = "";
  let stopped = false;
  void io.shutdownSignal?.then(() => {
    stopped = true;
  });
  const drain = async (): Promise<void> => {
    const size = await stat(options.file).then(
      (s) => s.size,
      () => 0,
    );
    if (size <= offset) return;
    const handle = await open(options.file, "r");
    try {
      const buffer = Buffer.alloc(size - offset);
      await handle.read(buffer, 0, buffer.length, offset);
      offset = size;
      const lines = (partial + buffer.toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") io.stdout.write(`${summarize(line)}\n`);
    } finally {
      await handle.close();
    }
  };
  await drain();
  while (options.follow === true && !stopped) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    await drain();
  }
}

function summarize(line: string): string {
  try {
    const envelope = JSON.parse(line) as {
      id?: string;
      route?: { prev?: string[] };
      status?: { phase?: string; reason?: string; error?: { type?: string } };
    };
    const status = envelope.status;
    const error = status?.error?.type === undefined ? "" : ` ${status.error.type}`;
    return `${envelope.id} ${status?.phase ?? "?"}/${status?.reason ?? "?"}${error} via ${(envelope.route?.prev ?? []).join(" -> ")}`;
  } catch {
    return line;
  }
}
