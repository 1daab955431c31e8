import type { Envelope, StatusError } from "../schema.js";

/**
 * The copies zod's `parse` returns for values its schemas accepted, rebuilt by hand: declared keys
 * first in schema order (optional ones only when present, `undefined` included), then unknown keys
 * in `for...in` order; objects and arrays of the schema are fresh, everything typed `unknown`
 * (payload, header values, unknown fields) is shared. Only call these on values the fast checks in
 * `is-envelope.ts` accepted; `test/zod-copy.test.ts` pins them to zod's output, key order included.
 */

type Fields = Record<string, unknown>;

const ENVELOPE_KEYS = ["id", "parent_id", "route", "headers", "status", "payload"] as const;
const ROUTE_KEYS = ["prev", "curr", "next"] as const;
const STATUS_KEYS = [
  "phase",
  "actor",
  "attempt",
  "max_attempts",
  "created_at",
  "updated_at",
  "deadline_at",
  "reason",
  "error",
] as const;
const ERROR_KEYS = ["type", "mro", "message", "traceback"] as const;

const envelopeKeySet: ReadonlySet<string> = new Set(ENVELOPE_KEYS);
const routeKeySet: ReadonlySet<string> = new Set(ROUTE_KEYS);
const statusKeySet: ReadonlySet<string> = new Set(STATUS_KEYS);
const errorKeySet: ReadonlySet<string> = new Set(ERROR_KEYS);

/** `z.array()`: a fresh plain array (never a subclass), element by element. */
function copyArray(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: unknown[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = value[i];
  return out;
}

/** What a loose object's catchall adds: inherited enumerable keys too, never `__proto__`. */
function copyUnknownKeys(input: Fields, out: Fields, declared: ReadonlySet<string>): Fields {
  for (const key in input) {
    if (declared.has(key) || key === "__proto__") continue;
    out[key] = input[key];
  }
  return out;
}

/** `z.record(z.string(), z.unknown())`: enumerable own string keys, `__proto__` dropped. */
function copyRecord(input: Fields): Fields {
  const out: Fields = {};
  for (const key of Object.keys(input)) {
    if (key !== "__proto__") out[key] = input[key];
  }
  return out;
}

/** zod's copy of a `status.error` that `statusErrorSchema` accepted. */
export function copyStatusError(error: StatusError): StatusError {
  const input = error as Fields;
  const out: Fields = {};
  for (const key of ERROR_KEYS) {
    if (key in input) out[key] = key === "mro" ? copyArray(input[key]) : input[key];
  }
  return copyUnknownKeys(input, out, errorKeySet) as StatusError;
}

function copyStatus(input: Fields): Fields {
  const out: Fields = {};
  for (const key of STATUS_KEYS) {
    if (!(key in input)) continue;
    const value = input[key];
    out[key] = key === "error" && value !== undefined ? copyStatusError(value as StatusError) : value;
  }
  return copyUnknownKeys(input, out, statusKeySet);
}

function copyRoute(input: Fields): Fields {
  const out: Fields = {};
  for (const key of ROUTE_KEYS) out[key] = key === "curr" ? input[key] : copyArray(input[key]);
  return copyUnknownKeys(input, out, routeKeySet);
}

/** zod's copy of an envelope that `envelopeSchema` accepted (what `envelopeSchema.parse` returns). */
export function copyEnvelope(envelope: Envelope): Envelope {
  const input = envelope as Fields;
  const out: Fields = {};
  for (const key of ENVELOPE_KEYS) {
    if (!(key in input)) continue;
    const value = input[key];
    if (value === undefined) out[key] = value;
    else if (key === "route") out[key] = copyRoute(value as Fields);
    else if (key === "headers") out[key] = copyRecord(value as Fields);
    else if (key === "status") out[key] = copyStatus(value as Fields);
    else out[key] = value;
  }
  return copyUnknownKeys(input, out, envelopeKeySet) as Envelope;
}
