import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Envelope } from "@asya/envelope";

/** Where the crew persists envelopes. `write` must resolve only once the envelope is stored. */
export interface ResultStore {
  write(envelope: Envelope): Promise<void>;
  close?(): Promise<void>;
}

/** A store that writes one JSON line per envelope to stdout (or `write`). */
export function createStdoutStore(
  write: (line: string) => void = (line) => process.stdout.write(line),
): ResultStore {
  return {
    async write(envelope) {
      write(`${JSON.stringify(envelope)}\n`);
    },
  };
}

/** Appends one JSON line per envelope to `path` (directories are created). */
export function createJsonlFileStore(path: string): ResultStore {
  let ready: Promise<unknown> | undefined;
  // Appends are serialised so concurrent writes never interleave inside a line.
  let tail: Promise<void> = Promise.resolve();
  return {
    write(envelope) {
      ready ??= mkdir(dirname(path), { recursive: true });
      const line = `${JSON.stringify(envelope)}\n`;
      const next = tail.then(async () => {
        await ready;
        await appendFile(path, line, "utf8");
      });
      tail = next.catch(() => undefined);
      return next;
    },
  };
}

/** Options of {@link createHttpCallbackStore}. */
export interface HttpCallbackOptions {
  /** Extra request headers (e.g. authorization). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** POSTs each envelope as JSON to `url`; a non-2xx answer fails the write (the message is redelivered). */
export function createHttpCallbackStore(url: string, options: HttpCallbackOptions = {}): ResultStore {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new TypeError(`[asya:runtime] sink callback URL must be http(s), got ${target.protocol}`);
  }
  return {
    async write(envelope) {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`[asya:runtime] sink callback answered ${response.status}`);
    },
  };
}

/** An in-memory store (demo and tests): `envelopes` holds everything written, in order. */
export interface MemoryResultStore extends ResultStore {
  readonly envelopes: Envelope[];
}

/** Creates a {@link MemoryResultStore}; `onWrite` is called after each write. */
export function createMemoryStore(onWrite?: (envelope: Envelope) => void): MemoryResultStore {
  const envelopes: Envelope[] = [];
  return {
    envelopes,
    async write(envelope) {
      envelopes.push(envelope);
      onWrite?.(envelope);
    },
  };
}
