import fc from "fast-check";

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Whether a JSON value contains a prototype-pollution key anywhere. */
export function hasForbiddenKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasForbiddenKey);
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).some(([key, child]) => FORBIDDEN.has(key) || hasForbiddenKey(child));
  }
  return false;
}

/** Any JSON value without forbidden keys. */
export const jsonValue = fc
  .jsonValue({ maxDepth: 4 })
  .filter((value) => !hasForbiddenKey(value))
  // Normalises -0 to 0, as JSON itself does.
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** DNS-1123 labels, biased towards short ones so routes repeat actors (self-loops). */
export const actorName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("a", "b", "prep", "infer", "x-sink", "x-sump") },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/) },
);

export const route = fc.record({
  prev: fc.array(actorName, { maxLength: 6 }),
  curr: actorName,
  next: fc.array(actorName, { maxLength: 6 }),
});

const timestamp = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
  .map((date) => date.toISOString());

const knownStatusKeys = new Set([
  "phase",
  "actor",
  "attempt",
  "max_attempts",
  "created_at",
  "updated_at",
  "deadline_at",
  "reason",
  "error",
]);
const knownTopKeys = new Set(["id", "parent_id", "route", "headers", "status", "payload"]);

/** Extra fields a newer producer might add, keyed away from the known ones. */
function extras(known: Set<string>) {
  return fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8 }).filter((key) => !known.has(key) && !FORBIDDEN.has(key)),
    jsonValue,
    { maxKeys: 3 },
  );
}

export const status = fc
  .tuple(
    fc.record(
      {
        phase: fc.constantFrom(
          "pending",
          "processing",
          "retrying",
          "succeeded",
          "failed",
          "paused",
          "canceled",
        ),
        actor: fc.oneof(actorName, fc.constant("")),
        attempt: fc.integer({ min: 1, max: 100 }),
        max_attempts: fc.integer({ min: 1, max: 100 }),
        created_at: timestamp,
        updated_at: timestamp,
        deadline_at: timestamp,
        reason: fc.constantFrom(
          "Completed",
          "RuntimeError",
          "Timeout",
          "ParseError",
          "RouteMismatch",
          "PolicyExhausted",
          "PolicyRouted",
          "PreFlightCanceled",
          "PreFlightPaused",
        ),
        error: fc.record(
          {
            type: fc.string(),
            mro: fc.array(fc.string(), { maxLength: 4 }),
            message: fc.string(),
            traceback: fc.string(),
          },
          { requiredKeys: ["type", "message"] },
        ),
      },
      { requiredKeys: ["phase"] },
    ),
    extras(knownStatusKeys),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

/** Any valid wire envelope (as a plain object), unknown fields included. */
export const envelope = fc
  .tuple(
    fc.record(
      {
        id: fc.string({ minLength: 1, maxLength: 40 }),
        parent_id: fc.string({ minLength: 1, maxLength: 40 }),
        route: fc.oneof(
          route,
          route.map((r) => ({ prev: [...r.prev, r.curr], curr: "", next: [] })),
        ),
        headers: fc.dictionary(
          fc.string({ maxLength: 20 }).filter((key) => !FORBIDDEN.has(key)),
          jsonValue,
          { maxKeys: 4 },
        ),
        status,
        payload: jsonValue,
      },
      { requiredKeys: ["id", "route", "payload"] },
    ),
    extras(knownTopKeys),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));
