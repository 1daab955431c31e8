import type { Envelope, StatusError } from "../schema.js";
import { isDns1123Label } from "./patterns.js";

/**
 * Hand-written twins of the zod schemas in `schema.ts`, for the per-message path: they accept exactly
 * what the schemas accept (property-tested against zod in `test/is-envelope.test.ts`) but build no
 * issues, no copy and no closures. A `false` is only a verdict for the caller to hand to zod, which
 * then names the problem; zod stays the single source of truth for messages, paths and types.
 */

type Fields = Readonly<Record<string, unknown>>;

/** zod's `isObject`: what `z.object()` / `z.looseObject()` take (arrays are not objects there). */
function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** zod's `isPlainObject`, the gate of `z.record()`: no class instances, null prototypes allowed. */
function isPlainObject(value: unknown): value is Fields {
  if (!isObject(value)) return false;
  const ctor: unknown = value.constructor;
  if (ctor === undefined || typeof ctor !== "function") return true;
  const prototype: unknown = ctor.prototype;
  return isObject(prototype) && Object.hasOwn(prototype, "isPrototypeOf");
}

/** `z.int().min(min)`: a safe integer, not below `min`. */
export function isIntAtLeast(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

/** `route.curr` / `status.actor` as written: `""` or a DNS-1123 label (`ACTOR_OR_EMPTY`). */
export function isActorOrEmpty(value: unknown): boolean {
  return typeof value === "string" && (value === "" || isDns1123Label(value));
}

function isActorArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const name: unknown = value[i];
    if (typeof name !== "string" || !isDns1123Label(name)) return false;
  }
  return true;
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false;
  return true;
}

function isRoute(value: unknown): boolean {
  return (
    isObject(value) && isActorArray(value.prev) && isActorOrEmpty(value.curr) && isActorArray(value.next)
  );
}

/**
 * `z.record(z.string(), z.unknown())`: a plain object whose enumerable own keys are all strings.
 * `JSON.parse` output is always that (any non-array object it makes), so `fromJson` skips the look.
 */
function isHeaders(value: unknown, fromJson: boolean): boolean {
  if (fromJson) return isObject(value);
  if (!isPlainObject(value)) return false;
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) return false;
  }
  return true;
}

const isOptionalString = (value: unknown): boolean => value === undefined || typeof value === "string";
const isNonEmptyString = (value: unknown): boolean => typeof value === "string" && value !== "";

/** `statusErrorSchema`: string `type` and `message`, optional string-array `mro`, string `traceback`. */
export function isStatusError(value: unknown): value is StatusError {
  if (!isObject(value)) return false;
  const mro = value.mro;
  return (
    typeof value.type === "string" &&
    (mro === undefined || isStringArray(mro)) &&
    typeof value.message === "string" &&
    isOptionalString(value.traceback)
  );
}

/** `statusSchema`, the lenient READ schema: what Asya's Go sidecar and Python runtime write. */
function isStatus(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { actor, attempt, max_attempts: maxAttempts, reason, error } = value;
  return (
    isNonEmptyString(value.phase) &&
    isOptionalString(actor) &&
    (attempt === undefined || isIntAtLeast(attempt, 0)) &&
    (maxAttempts === undefined || isIntAtLeast(maxAttempts, 0)) &&
    isOptionalString(value.created_at) &&
    isOptionalString(value.updated_at) &&
    isOptionalString(value.deadline_at) &&
    (reason === undefined || isNonEmptyString(reason)) &&
    (error === undefined || isStatusError(error))
  );
}

function checkEnvelope(value: unknown, fromJson: boolean): value is Envelope {
  if (!isObject(value)) return false;
  const { id, parent_id: parentId, headers, status } = value;
  return (
    isNonEmptyString(id) &&
    (parentId === undefined || isNonEmptyString(parentId)) &&
    isRoute(value.route) &&
    (headers === undefined || isHeaders(headers, fromJson)) &&
    (status === undefined || isStatus(status)) &&
    value.payload !== undefined
  );
}

/**
 * Whether `envelopeSchema.safeParse(value)` would succeed, for any value. Unknown fields at every
 * level are accepted, as the loose schemas do; `payload` must be present and not `undefined`.
 */
export function isEnvelope(value: unknown): value is Envelope {
  return checkEnvelope(value, false);
}

/** {@link isEnvelope} for what `JSON.parse` returned (plain objects, string keys only). */
export function isParsedEnvelope(value: unknown): value is Envelope {
  return checkEnvelope(value, true);
}
