/** The terminal actor every finished envelope is sent to, succeeded or failed (SPEC section 5). */
export const SINK_ACTOR = "x-sink";

/** The dead-letter end of the mesh: failed envelopes are forwarded here by `x-sink`. */
export const SUMP_ACTOR = "x-sump";

/** Largest envelope body {@link parseEnvelope} accepts, in bytes (10 MiB). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 10 * 1024 * 1024;

/**
 * Deepest JSON nesting {@link parseEnvelope} accepts (the envelope object itself is level 1).
 * `JSON.stringify` overflows the stack a few thousand levels down, so anything deeper could be
 * parsed but never forwarded; 512 is far beyond any real payload.
 */
export const DEFAULT_MAX_ENVELOPE_DEPTH = 512;

/** Header: RFC 3339 time of the first attempt at the current actor; drives `maxDuration`. */
export const HEADER_FIRST_ATTEMPT = "x-asya-first-attempt";

/** Header: map actor -> actor applied at send time. */
export const HEADER_ROUTE_OVERRIDE = "x-asya-route-override";
/**
 * Audit trail of applied route overrides: `{ "<actor in route>": { "target": "<actor whose queue got
 * it>", "by": "<actor that sent it>" } }`, entries of earlier hops kept (SPEC section 3).
 */
export const HEADER_ROUTE_RESOLVED = "x-asya-route-resolved";

/** Header: where progress events go (http/https only). */
export const HEADER_GATEWAY_URL = "x-asya-gateway-url";

/** Header: `"off"` disables progress reporting for this envelope. */
export const HEADER_MESH_STATUS = "x-asya-mesh-status";
/** Header `x-pause` sets on its output: the pause metadata (GATEWAY.md section 5); never routed. */
export const HEADER_PAUSE = "x-asya-pause";
/** Header a handler sets before routing to `x-pause`: this task's pause metadata (prompt, fields). */
export const HEADER_PAUSE_METADATA = "x-asya-pause-metadata";
/** Header of the gateway's resume envelope: the id of the task to resume. */
export const HEADER_RESUME_TASK = "x-asya-resume-task";
/** Header of the gateway's resume envelope: seconds of budget the resumed task gets. */
export const HEADER_RESUME_TIMEOUT = "x-asya-resume-timeout";
/** Header of every fan-out frame bound for an aggregator (GATEWAY.md section 6). */
export const HEADER_FAN_IN = "x-asya-fan-in";
/** Header of a merged fan-in envelope: the `origin_id` of the slices it joined. */
export const HEADER_ORIGIN_ID = "x-asya-origin-id";
/**
 * Header of an envelope a policy routed to `onExhausted`: the error that did it. The next actor's
 * receipt stamp clears `status.error` (it describes the past hop); fallback actors read this.
 */
export const HEADER_ROUTED_ERROR = "x-asya-routed-error";
/** A claim-checked payload (GATEWAY.md section 7): `{uri, bytes, sha256, content_type}`; `payload` is null. */
export const HEADER_CLAIM = "x-asya-claim";

/** The crew actor that checkpoints a task and pauses it (GATEWAY.md section 5). */
export const PAUSE_ACTOR = "x-pause";
/** The crew actor that restores a paused task with the human's input. */
export const RESUME_ACTOR = "x-resume";

/** Prefix of every header name reserved for the mesh. */
export const RESERVED_HEADER_PREFIX = "x-asya-";

/** Object keys rejected anywhere in an envelope (prototype pollution). */
export const FORBIDDEN_KEYS: readonly string[] = ["__proto__", "constructor", "prototype"];
