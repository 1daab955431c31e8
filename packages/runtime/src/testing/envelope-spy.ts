import { type Envelope, parseEnvelope, type StatusPhase, type StatusReason } from "@asya/envelope";
import type { OutgoingMessage, PublishOptions, Transport } from "@asya/transport";

/** One envelope publish seen by the spy. */
export interface SpyRecord {
  /** Destination queue. */
  readonly queue: string;
  /** Destination actor (the queue name without its `asya-[<namespace>-]` prefix). */
  readonly to: string;
  /** The published envelope (`undefined` when the body is not a valid envelope). */
  readonly envelope: Envelope | undefined;
  readonly delayMs: number;
  /** Transport attributes of the message. */
  readonly attributes: Readonly<Record<string, string>>;
  /** `Date.now()` at publish time. */
  readonly atMs: number;
}

/** What {@link EnvelopeSpy.waitFor} waits for; every given field must match. */
export interface SpyMatch {
  readonly phase?: StatusPhase | (string & {});
  readonly reason?: StatusReason | (string & {});
  /** `status.actor`. */
  readonly actor?: string;
  /** Destination actor, e.g. `"x-sink"`. */
  readonly to?: string;
  readonly predicate?: (record: SpyRecord) => boolean;
}

/** A spy on a transport's publishes that awaits "envelope X reached state Y" (no sleeps in tests). */
export interface EnvelopeSpy {
  /** Resolves with the first (past or future) record of envelope `id` matching `match`. */
  waitFor(id: string, match?: SpyMatch, options?: { readonly timeoutMs?: number }): Promise<SpyRecord>;
  /** Every record of envelope `id`, oldest first. */
  history(id: string): SpyRecord[];
  /** Every record, oldest first. */
  records(): readonly SpyRecord[];
  /** Undo the interception. */
  restore(): void;
}

interface Waiter {
  readonly id: string;
  readonly match: SpyMatch;
  readonly resolve: (record: SpyRecord) => void;
}

function matches(record: SpyRecord, id: string, match: SpyMatch): boolean {
  const envelope = record.envelope;
  if (envelope?.id !== id) return false;
  if (match.phase !== undefined && envelope.status?.phase !== match.phase) return false;
  if (match.reason !== undefined && envelope.status?.reason !== match.reason) return false;
  if (match.actor !== undefined && envelope.status?.actor !== match.actor) return false;
  if (match.to !== undefined && record.to !== match.to) return false;
  return match.predicate === undefined || match.predicate(record);
}

/**
 * Wraps `transport.publish` / `publishBatch` in place (the same object keeps working for actors
 * that already hold it) and records every envelope published, after the publish succeeded.
 *
 * @example
 * const spy = createEnvelopeSpy(transport);
 * await spy.waitFor("env-1", { phase: "succeeded", to: "x-sink" }, { timeoutMs: 2000 });
 */
export function createEnvelopeSpy(transport: Transport, namespace?: string): EnvelopeSpy {
  const prefix = namespace === undefined ? "asya-" : `asya-${namespace}-`;
  const all: SpyRecord[] = [];
  let waiters: Waiter[] = [];
  const target = transport as { -readonly [K in keyof Transport]: Transport[K] };
  const originalPublish = transport.publish;
  const originalBatch = transport.publishBatch;

  const record = (queue: string, message: OutgoingMessage, options: PublishOptions | undefined): void => {
    let envelope: Envelope | undefined;
    try {
      envelope = parseEnvelope(message.body, { maxBytes: Number.MAX_SAFE_INTEGER });
    } catch {
      envelope = undefined;
    }
    const to = queue.startsWith(prefix) ? queue.slice(prefix.length) : queue;
    const entry: SpyRecord = {
      queue,
      to,
      envelope,
      delayMs: options?.delayMs ?? 0,
      attributes: { ...message.attributes },
      atMs: Date.now(),
    };
    all.push(entry);
    waiters = waiters.filter((waiter) => {
      if (!matches(entry, waiter.id, waiter.match)) return true;
      waiter.resolve(entry);
      return false;
    });
  };

  target.publish = async (queue, message, options) => {
    await originalPublish.call(transport, queue, message, options);
    record(queue, message, options);
  };
  if (originalBatch !== undefined) {
    target.publishBatch = async (queue, messages, options) => {
      await originalBatch.call(transport, queue, messages, options);
      for (const message of messages) record(queue, message, options);
    };
  }

  return {
    waitFor(id, match = {}, options = {}) {
      const found = all.find((entry) => matches(entry, id, match));
      if (found !== undefined) return Promise.resolve(found);
      const timeoutMs = options.timeoutMs ?? 5_000;
      return new Promise<SpyRecord>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((waiter) => waiter !== entry);
          const seen = all
            .filter((r) => r.envelope?.id === id)
            .map((r) => `${r.to}:${r.envelope?.status?.phase ?? "?"}/${r.envelope?.status?.reason ?? ""}`);
          reject(
            new Error(
              `[asya:testing] envelope ${id} did not reach ${JSON.stringify(match)} within ${timeoutMs} ms (seen: ${seen.join(", ") || "nothing"})`,
            ),
          );
        }, timeoutMs);
        const entry: Waiter = {
          id,
          match,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        };
        waiters.push(entry);
      });
    },
    history: (id) => all.filter((entry) => entry.envelope?.id === id),
    records: () => all,
    restore() {
      target.publish = originalPublish;
      if (originalBatch !== undefined) target.publishBatch = originalBatch;
    },
  };
}
