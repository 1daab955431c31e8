import type { RawBroker, RawConsumer, RawMessage } from "./raw-broker.js";

/** One message read from a sink/sump queue. */
export interface SinkRecord {
  /** The envelope as parsed JSON, or undefined when the body was not JSON. */
  readonly envelope: SinkEnvelope | undefined;
  readonly body: Uint8Array;
  readonly attributes: Readonly<Record<string, string>>;
  readonly receivedAtMs: number;
}

/** The fields of a terminal envelope the scenarios look at. */
export interface SinkEnvelope {
  readonly id: string;
  readonly route?: {
    readonly prev?: readonly string[];
    readonly curr?: string;
    readonly next?: readonly string[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly attempt?: number;
    readonly max_attempts?: number;
    readonly actor?: string;
    readonly created_at?: string;
    readonly updated_at?: string;
    readonly error?: { readonly type?: string; readonly message?: string };
  };
  readonly headers?: Readonly<Record<string, unknown>>;
  readonly payload?: unknown;
}

/** Result of comparing what arrived with what was expected. */
export interface DeliveryTally {
  readonly expected: number;
  /** Distinct expected ids that arrived. */
  readonly delivered: number;
  /** Arrivals beyond the first per id (at-least-once duplicates). */
  readonly duplicates: number;
  /** Expected ids that never arrived. */
  readonly missing: readonly string[];
  /** Ids that arrived but were not expected. */
  readonly unexpected: readonly string[];
}

const decoder = new TextDecoder();

function parse(body: Uint8Array): SinkEnvelope | undefined {
  try {
    const value: unknown = JSON.parse(decoder.decode(body));
    if (value !== null && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") {
      return value as SinkEnvelope;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/** Collects every message of one queue (normally the x-sink queue) with a raw client. */
export class SinkCollector {
  readonly records: SinkRecord[] = [];
  readonly byId = new Map<string, SinkRecord[]>();
  private consumer: RawConsumer | undefined;

  /** Starts consuming `queue` on `broker`. */
  static async start(broker: RawBroker, queue: string): Promise<SinkCollector> {
    const collector = new SinkCollector();
    await collector.attach(broker, queue);
    return collector;
  }

  /** (Re)attaches to `queue` on `broker`, e.g. with a new raw client after a broker outage. */
  async attach(broker: RawBroker, queue: string): Promise<void> {
    await this.consumer?.stop();
    this.consumer = await broker.consume(queue, (message) => this.add(message));
  }

  /** Records one message (public for tests of the collector itself). */
  add(message: RawMessage): void {
    const record: SinkRecord = {
      envelope: parse(message.body),
      body: message.body,
      attributes: message.attributes,
      receivedAtMs: Date.now(),
    };
    this.records.push(record);
    if (record.envelope !== undefined) {
      const list = this.byId.get(record.envelope.id);
      if (list === undefined) this.byId.set(record.envelope.id, [record]);
      else list.push(record);
    }
  }

  /** Distinct ids seen so far among `ids`. */
  countOf(ids: ReadonlySet<string>): number {
    let n = 0;
    for (const id of ids) if (this.byId.has(id)) n += 1;
    return n;
  }

  /** Compares arrivals with `expectedIds` (de-duplicated by id). */
  tally(expectedIds: Iterable<string>): DeliveryTally {
    const expected = new Set(expectedIds);
    const missing: string[] = [];
    let delivered = 0;
    let duplicates = 0;
    for (const id of expected) {
      const list = this.byId.get(id);
      if (list === undefined) missing.push(id);
      else {
        delivered += 1;
        duplicates += list.length - 1;
      }
    }
    const unexpected = [...this.byId.keys()].filter((id) => !expected.has(id));
    return { expected: expected.size, delivered, duplicates, missing, unexpected };
  }

  /**
   * Waits until `done()` holds, polling every 100 ms, up to `timeoutMs`. Resolves to whether it
   * held (callers assert on the figures, so a timeout reports what was missing rather than throwing).
   */
  async waitUntil(done: () => boolean, timeoutMs: number, onProgress?: () => void): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let lastReport = Date.now();
    while (Date.now() < deadline) {
      if (done()) return true;
      if (onProgress !== undefined && Date.now() - lastReport > 5_000) {
        lastReport = Date.now();
        onProgress();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return done();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
  }
}
