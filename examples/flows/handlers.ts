// The handlers of the example flows: plain functions over a JSON state, as any actor's handler.
// Generic over the state type, so a flow's own state type (extending Doc) survives each call.
// They are deterministic (the differential tests run each flow directly and compiled and compare).

export interface Doc {
  text: string;
  confidence?: number;
  seen?: number;
  needsMore?: boolean;
  done?: boolean;
  chunks?: string[];
  parts?: Chunk[];
  stored?: number;
  reviewed?: boolean;
  notified?: boolean;
  fail?: boolean;
  tags?: string[];
}

export interface Chunk {
  text: string;
  words: number;
}

/** Confidence from the text: its length modulo 10, as a fraction. */
export function classify<T extends Doc>(doc: T): T {
  return {
    ...doc,
    confidence: (doc.text.length % 10) / 10,
    chunks: doc.text.split(" ").filter((w) => w !== ""),
  };
}

export async function store<T extends Doc>(doc: T): Promise<T> {
  return { ...doc, stored: (doc.stored ?? 0) + 1 };
}

export function review<T extends Doc>(doc: T): T {
  return { ...doc, reviewed: true, needsMore: (doc.seen ?? 0) < 3 };
}

/** Enriches a document: one more tag, done after four. */
export function enrich<T extends Doc>(doc: T): T {
  const tags = [...(doc.tags ?? []), `t${(doc.tags ?? []).length}`];
  return { ...doc, tags, seen: (doc.seen ?? 0) + 1, done: tags.length >= 4 };
}

export function enrichChunk(chunk: string): Chunk {
  return { text: chunk.toUpperCase(), words: chunk.split(/\s+/).filter((w) => w !== "").length };
}

/** Fails when the document says so (the catch path of the examples). */
export async function notify<T extends Doc>(doc: T): Promise<T> {
  if (doc.fail === true) throw new Error(`notify refused ${doc.text.slice(0, 20)}`);
  return { ...doc, notified: true };
}
