import { createHash } from "node:crypto";
import { createPrng, type Prng } from "./prng.js";

/** The kinds of poison bodies a corpus contains. */
export type FuzzKind =
  | "random-bytes"
  | "truncated-json"
  | "wrong-types"
  | "huge-string"
  | "forbidden-key"
  | "deep-nesting"
  | "invalid-utf8"
  | "not-an-envelope"
  | "oversized";

/** One poison body. */
export interface FuzzBody {
  readonly index: number;
  readonly kind: FuzzKind;
  readonly bytes: Uint8Array;
  /** sha256 of `bytes` (hex): how results are matched back to inputs. */
  readonly digest: string;
}

/** Options of {@link generateFuzzCorpus}. */
export interface FuzzCorpusOptions {
  /** Number of bodies. */
  readonly count: number;
  readonly seed: number;
  /** The actor whose queue receives the bodies (used in envelope-shaped bodies). */
  readonly actor: string;
  /** Size of the one oversized body (0 = none). Keep it within what the broker accepts. */
  readonly oversizedBytes: number;
  /** Nesting depth of deep-nesting bodies (must exceed the parser's depth limit). @default 600..5000 */
  readonly minDepth?: number;
  /** How many huge-string bodies (64 KiB to `hugeMaxBytes`). @default max(1, count / 500) */
  readonly hugeCount?: number;
  /** Largest huge-string body. @default 512 KiB */
  readonly hugeMaxBytes?: number;
}

const encoder = new TextEncoder();

/** sha256 hex of bytes. */
export function digestOf(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function envelopeText(index: number, actor: string, payload = `{"n":${index}}`): string {
  return `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[]},"payload":${payload}}`;
}

function wrongTypes(index: number, actor: string, prng: Prng): string {
  const route = `{"prev":[],"curr":"${actor}","next":[]}`;
  const variants = [
    `{"id":${index},"route":${route},"payload":{}}`,
    `{"id":"","route":${route},"payload":{"n":${index}}}`,
    `{"id":null,"route":${route},"payload":{"n":${index}}}`,
    `{"id":["fz-${index}"],"route":${route},"payload":{}}`,
    `{"id":"fz-${index}","route":"${actor}","payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"next":[]},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":${index},"next":[]},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":"b"},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[1],"curr":"${actor}","next":[]},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[{"x":1}]},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":["Not_A_DNS_Label"]},"payload":{}}`,
    `{"id":"fz-${index}","route":${route}}`,
    `{"id":"fz-${index}","route":${route},"payload":{},"headers":"h"}`,
    // An unknown phase string is valid (Asya writes them, SPEC 1); a non-string phase is not.
    `{"id":"fz-${index}","route":${route},"payload":{},"status":{"phase":7}}`,
    `{"id":"fz-${index}","route":${route},"payload":{},"status":{"phase":"pending","attempt":"one"}}`,
  ];
  return prng.pick(variants);
}

function forbiddenKey(index: number, actor: string, prng: Prng): string {
  const key = prng.pick(["__proto__", "constructor", "prototype"]);
  const variants = [
    `{"${key}":{"polluted":true},"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[]},"payload":{}}`,
    envelopeText(index, actor, `{"a":{"b":{"${key}":{"polluted":true}}}}`),
    envelopeText(index, actor, `[1,{"${key}":null}]`),
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[]},"headers":{"${key}":{"x":1}},"payload":{}}`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[],"${key}":{}},"payload":{}}`,
  ];
  return prng.pick(variants);
}

function deepNesting(index: number, actor: string, prng: Prng, minDepth: number): string {
  const depth = prng.int(minDepth, minDepth * 8);
  const open = prng.next() < 0.5 ? "[" : '{"a":';
  const close = open === "[" ? "]" : "}";
  const balanced = prng.next() < 0.8;
  const inner = `${open.repeat(depth)}${index}${balanced ? close.repeat(depth) : ""}`;
  return prng.next() < 0.7 ? envelopeText(index, actor, inner) : inner;
}

function hugeString(index: number, actor: string, prng: Prng, maxBytes: number): string {
  const size = prng.int(64 * 1024, maxBytes);
  const filler = prng.pick(["x", "é", "\\u0000", '\\"', "🦀"]).repeat(size);
  const variants = [
    // A huge value in a field that must be a DNS-1123 actor name.
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":["${filler.slice(0, size)}"]},"payload":{}}`,
    // A huge id with a wrong-typed route.
    `{"id":"fz-${index}-${filler.slice(0, size)}","route":[],"payload":{}}`,
    // A huge unterminated string.
    `{"id":"fz-${index}","route":{"prev":[],"curr":"${actor}","next":[]},"payload":"${filler.slice(0, size)}`,
  ];
  return prng.pick(variants);
}

function notAnEnvelope(index: number, prng: Prng): string {
  return prng.pick([
    `${index}`,
    `"fz-${index}"`,
    `[${index}]`,
    `null${" ".repeat(index % 7)}\n`.repeat(1 + (index % 3)),
    `{"id":"fz-${index}"}`,
    `{}${" ".repeat(index % 11)}`,
    `true // ${index}`,
    `<xml id="${index}"/>`,
    `id=fz-${index}&route=a`,
    `{"id":"fz-${index}","route":{"prev":[],"curr":"a","next":[]},"payload":{}}{"trailing":${index}}`,
  ]);
}

function invalidUtf8(index: number, actor: string, prng: Prng): Uint8Array {
  const text = envelopeText(index, actor, `{"s":"@@"}`);
  const bad = prng.pick([
    [0xc3, 0x28],
    [0xff, 0xfe],
    [0xe2, 0x82],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ]);
  const at = text.indexOf("@@");
  const head = encoder.encode(text.slice(0, at));
  const tail = encoder.encode(text.slice(at + 2));
  const out = new Uint8Array(head.length + bad.length + tail.length);
  out.set(head, 0);
  out.set(bad, head.length);
  out.set(tail, head.length + bad.length);
  return out;
}

function randomBytes(index: number, prng: Prng): Uint8Array {
  // The index prefix keeps bodies distinct; byte 0xff makes the prefix invalid UTF-8/JSON at once.
  const body = prng.bytes(prng.int(0, 2048));
  const out = new Uint8Array(body.length + 5);
  out[0] = 0xff;
  new DataView(out.buffer).setUint32(1, index);
  out.set(body, 5);
  return out;
}

function oversized(size: number): Uint8Array {
  // Looks like the start of an envelope and is otherwise plain ASCII: rejected for its size alone.
  const head = encoder.encode('{"id":"fz-oversized","route":{"prev":[],"curr":"a","next":[]},"payload":"');
  const out = new Uint8Array(size).fill(0x61);
  out.set(head.subarray(0, Math.min(head.length, size)), 0);
  return out;
}

/**
 * Generates `count` distinct bodies that no actor may accept as an envelope: random bytes,
 * truncated JSON, wrong types, huge strings, `__proto__`/`constructor`/`prototype` keys, deep
 * nesting beyond the parser's limit, invalid UTF-8, non-envelope JSON, and one oversized body.
 * Deterministic for a given seed.
 *
 * @example
 * ```ts
 * const corpus = generateFuzzCorpus({ count: 100, seed: 1, actor: "a", oversizedBytes: 0 });
 * ```
 */
export function generateFuzzCorpus(options: FuzzCorpusOptions): FuzzBody[] {
  const prng = createPrng(options.seed);
  const minDepth = options.minDepth ?? 600;
  const hugeMaxBytes = options.hugeMaxBytes ?? 512 * 1024;
  const hugeCount = options.hugeCount ?? Math.max(1, Math.floor(options.count / 500));
  const hugeEvery = Math.max(1, Math.floor(options.count / Math.max(1, hugeCount)));
  const bodies: FuzzBody[] = [];
  const seen = new Set<string>();
  const push = (kind: FuzzKind, bytes: Uint8Array): void => {
    const digest = digestOf(bytes);
    if (seen.has(digest)) return;
    seen.add(digest);
    bodies.push({ index: bodies.length, kind, bytes, digest });
  };
  if (options.oversizedBytes > 0) push("oversized", oversized(options.oversizedBytes));
  const smallKinds: readonly FuzzKind[] = [
    "random-bytes",
    "truncated-json",
    "wrong-types",
    "forbidden-key",
    "deep-nesting",
    "invalid-utf8",
    "not-an-envelope",
  ];
  let attempts = 0;
  while (bodies.length < options.count) {
    attempts += 1;
    if (attempts > options.count * 20) throw new Error("fuzz corpus: too many duplicate bodies");
    const index = bodies.length;
    const kind: FuzzKind = index % hugeEvery === hugeEvery - 1 ? "huge-string" : prng.pick(smallKinds);
    const { actor } = options;
    switch (kind) {
      case "random-bytes":
        push(kind, randomBytes(index, prng));
        break;
      case "truncated-json": {
        const full = envelopeText(
          index,
          actor,
          `{"text":"${"lorem ipsum ".repeat(prng.int(1, 20))}","n":${index}}`,
        );
        push(kind, encoder.encode(full.slice(0, prng.int(1, full.length - 1))));
        break;
      }
      case "wrong-types":
        push(kind, encoder.encode(wrongTypes(index, actor, prng)));
        break;
      case "huge-string":
        push(kind, encoder.encode(hugeString(index, actor, prng, hugeMaxBytes)));
        break;
      case "forbidden-key":
        push(kind, encoder.encode(forbiddenKey(index, actor, prng)));
        break;
      case "deep-nesting":
        push(kind, encoder.encode(deepNesting(index, actor, prng, minDepth)));
        break;
      case "invalid-utf8":
        push(kind, invalidUtf8(index, actor, prng));
        break;
      default:
        push(kind, encoder.encode(notAnEnvelope(index, prng)));
    }
  }
  return bodies;
}

/** Counts of a corpus by kind, for the printed figures. */
export function corpusKinds(corpus: readonly FuzzBody[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const body of corpus) counts[body.kind] = (counts[body.kind] ?? 0) + 1;
  return counts;
}

/** Total bytes of a corpus. */
export function corpusBytes(corpus: readonly FuzzBody[]): number {
  return corpus.reduce((sum, body) => sum + body.bytes.byteLength, 0);
}
