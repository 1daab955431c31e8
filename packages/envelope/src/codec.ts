import { DEFAULT_MAX_ENVELOPE_BYTES, DEFAULT_MAX_ENVELOPE_DEPTH } from "./constants.js";
import { EnvelopeError, formatPath } from "./envelope-error.js";
import { invalidEnvelope } from "./internal/invalid-envelope.js";
import { isEnvelope, isParsedEnvelope } from "./internal/is-envelope.js";
import { mayBeUnsafe, mayBeUnsafeJson } from "./internal/text-prefilter.js";
import { findUnsafeNode } from "./internal/walk-json.js";
import { copyEnvelope } from "./internal/zod-copy.js";
import { type Envelope, envelopeSchema } from "./schema.js";

/** Options of {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  /**
   * Largest accepted body, in UTF-8 bytes; checked before decoding.
   * @default DEFAULT_MAX_ENVELOPE_BYTES (10 MiB)
   */
  readonly maxBytes?: number;
  /**
   * Deepest accepted JSON nesting (the envelope object is level 1).
   * @default DEFAULT_MAX_ENVELOPE_DEPTH (512)
   */
  readonly maxDepth?: number;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();
const NodeBuffer = (globalThis as { Buffer?: { byteLength(text: string, encoding: "utf8"): number } }).Buffer;

/** UTF-8 byte length of a string without encoding it (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  if (NodeBuffer !== undefined) return NodeBuffer.byteLength(text, "utf8");
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkSize(input: string | Uint8Array, maxBytes: number): void {
  // Guards untyped callers (null, numbers, plain objects): they get an EnvelopeError like any bad body.
  if (typeof input !== "string" && !(input instanceof Uint8Array)) {
    throw new EnvelopeError(`envelope body must be a string or Uint8Array, got ${typeof input}`, {
      code: "INVALID_JSON",
    });
  }
  // A UTF-16 code unit is 1-3 UTF-8 bytes, so most strings are decided without measuring.
  const size =
    typeof input !== "string" ? input.byteLength : input.length * 3 <= maxBytes ? 0 : utf8ByteLength(input);
  if (size > maxBytes) {
    throw new EnvelopeError(`envelope is ${size} bytes, over the limit of ${maxBytes}`, {
      code: "TOO_LARGE",
    });
  }
}

function decode(input: string | Uint8Array): string {
  // The fatal decoder drops a leading UTF-8 BOM; strip U+FEFF from strings too so both inputs agree.
  if (typeof input === "string") return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  try {
    return decoder.decode(input);
  } catch (cause) {
    throw new EnvelopeError("envelope is not valid UTF-8", { code: "INVALID_JSON", cause });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    // SyntaxError for malformed JSON; RangeError when nesting exhausts the parser's stack.
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new EnvelopeError(`envelope is not valid JSON: ${detail}`, { code: "INVALID_JSON", cause });
  }
}

/** Throws FORBIDDEN_KEY / INVALID_JSON (too deep) for the first unsafe node of a JSON value. */
export function assertSafeJson(value: unknown, maxDepth: number): void {
  const unsafe = findUnsafeNode(value, maxDepth);
  if (unsafe === undefined) return;
  if (unsafe.kind === "forbidden-key") {
    const key = unsafe.path[unsafe.path.length - 1];
    throw new EnvelopeError(`forbidden key ${JSON.stringify(key)} at ${formatPath(unsafe.path)}`, {
      code: "FORBIDDEN_KEY",
      path: unsafe.path,
    });
  }
  throw new EnvelopeError(`envelope nests deeper than ${maxDepth} levels at ${formatPath(unsafe.path)}`, {
    code: "INVALID_JSON",
    path: unsafe.path,
  });
}

/**
 * Validates a plain value against {@link envelopeSchema} and returns zod's copy of it.
 * @throws {EnvelopeError} `INVALID_ENVELOPE` with `path` and `issues` naming the field.
 */
export function validateEnvelope(value: unknown): Envelope {
  // The hand-written check and copy give zod's answer without running zod; zod runs when the check
  // says no, and names the field (or, should the check ever be stricter than zod, accepts it).
  if (isEnvelope(value)) return copyEnvelope(value);
  const result = envelopeSchema.safeParse(value);
  if (!result.success) throw invalidEnvelope(result.error);
  return result.data;
}

/**
 * Decodes, checks and validates an envelope received from the wire.
 * @throws {EnvelopeError} `TOO_LARGE` (over `maxBytes`, checked first), `INVALID_JSON` (invalid
 *   UTF-8, malformed JSON or nesting deeper than `maxDepth`), `FORBIDDEN_KEY` (`__proto__`,
 *   `constructor` or `prototype` as a key anywhere), `INVALID_ENVELOPE` (schema violation; `path` and
 *   `issues` name the field). Never throws anything else.
 * @example
 * const envelope = parseEnvelope(message.body);
 * envelope.route.curr; // "infer"
 */
export function parseEnvelope(input: string | Uint8Array, options?: ParseEnvelopeOptions): Envelope {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_ENVELOPE_DEPTH;
  checkSize(input, maxBytes);
  const text = decode(input);
  const value = parseJson(text);
  // One walk at most, and none at all for the common small, clean body.
  if (mayBeUnsafeJson(text, maxDepth)) assertSafeJson(value, maxDepth);
  // zod's safeParse of a whole envelope costs more than the JSON.parse before it; the hand-written
  // check accepts exactly what the schema accepts, and zod only runs to name what is wrong.
  if (!isParsedEnvelope(value)) {
    const result = envelopeSchema.safeParse(value);
    if (!result.success) throw invalidEnvelope(result.error);
  }
  // The schema has no transforms or defaults, so the freshly parsed value is the envelope itself;
  // returning it (not zod's copy) keeps the sender's key order, making round trips byte-exact.
  return value as Envelope;
}

/**
 * Serializes an envelope to its JSON wire form (unknown fields included, key order kept). Does not
 * re-validate the schema, but refuses to emit what {@link parseEnvelope} would reject as unsafe.
 * @throws {EnvelopeError} `FORBIDDEN_KEY` for a prototype-pollution key, `INVALID_JSON` when the value
 *   cannot be represented as JSON (BigInt, cycles, nesting deeper than the default limit).
 */
export function serializeEnvelope(envelope: Envelope): string {
  let text: string;
  try {
    text = JSON.stringify(envelope);
  } catch (cause) {
    // Cycles, BigInt, or nesting deep enough to overflow the stack: the walk names the problem
    // when it can (depth, forbidden key), otherwise report what JSON.stringify said.
    assertSafeJson(envelope, DEFAULT_MAX_ENVELOPE_DEPTH);
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new EnvelopeError(`envelope cannot be serialized as JSON: ${detail}`, {
      code: "INVALID_JSON",
      cause,
    });
  }
  // The full walk costs as much as the stringify; the output text tells whether it can find
  // anything (JSON.stringify writes every forbidden key literally and nesting needs brackets).
  if (mayBeUnsafe(text, DEFAULT_MAX_ENVELOPE_DEPTH)) assertSafeJson(envelope, DEFAULT_MAX_ENVELOPE_DEPTH);
  return text;
}

/**
 * A JSON value (an envelope's payload on its own) as text, refused as {@link serializeEnvelope}
 * refuses an envelope: `maxDepth` counts the value as level 1 (a payload inside an envelope is at
 * level 2, so {@link DEFAULT_MAX_ENVELOPE_DEPTH} - 1 keeps the two answers the same).
 * @throws {EnvelopeError} `FORBIDDEN_KEY`, `INVALID_JSON` (BigInt, cycles, too deep).
 */
export function serializeJsonValue(value: unknown, maxDepth = DEFAULT_MAX_ENVELOPE_DEPTH - 1): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    assertSafeJson(value, maxDepth);
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new EnvelopeError(`value cannot be serialized as JSON: ${detail}`, { code: "INVALID_JSON", cause });
  }
  if (text === undefined) {
    throw new EnvelopeError(`value cannot be serialized as JSON: ${typeof value}`, { code: "INVALID_JSON" });
  }
  checkJsonText(value, text, maxDepth);
  return text;
}

/**
 * Refuses `value` whose JSON `text` (JSON.stringify's, done by the caller) holds a forbidden key or
 * nests deeper than `maxDepth`, as {@link serializeJsonValue} does; a cheap scan of the text decides
 * most documents, the value is walked otherwise.
 * @throws {EnvelopeError} `FORBIDDEN_KEY`, `INVALID_JSON` (too deep).
 */
export function checkJsonText(value: unknown, text: string, maxDepth = DEFAULT_MAX_ENVELOPE_DEPTH - 1): void {
  // The text is what receivers parse, so the scan of parsed text decides here too.
  if (mayBeUnsafeJson(text, maxDepth)) assertSafeJson(value, maxDepth);
}

/**
 * Decodes and parses a JSON value (a payload stored on its own), checked as {@link parseEnvelope}
 * checks an envelope's text: valid UTF-8, valid JSON, no forbidden key, at most `maxDepth` levels
 * (the value is level 1; see {@link serializeJsonValue}). No size limit: the caller bounds the input.
 * @throws {EnvelopeError} `INVALID_JSON`, `FORBIDDEN_KEY`.
 */
export function parseJsonValue(
  input: string | Uint8Array,
  maxDepth = DEFAULT_MAX_ENVELOPE_DEPTH - 1,
): unknown {
  const text = decode(input);
  const value = parseJson(text);
  if (mayBeUnsafeJson(text, maxDepth)) assertSafeJson(value, maxDepth);
  return value;
}

/**
 * The UTF-8 bytes of {@link serializeEnvelope}, ready for a transport.
 * @throws {EnvelopeError} as {@link serializeEnvelope}.
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encoder.encode(serializeEnvelope(envelope));
}
