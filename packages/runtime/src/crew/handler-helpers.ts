import { HEADER_PAUSE_METADATA, PAUSE_ACTOR } from "@asya/envelope";
import type { ControlCommand } from "../handler-types.js";

/** What a handler passes to {@link pauseNext}: the prompt and the fields a human answers. */
export interface PauseRequest {
  readonly prompt: string;
  readonly fields?: ReadonlyArray<{
    readonly name: string;
    readonly type: "string" | "number" | "boolean" | "array" | "object";
    readonly prompt?: string;
    readonly payload_key?: string;
    readonly required?: boolean;
    readonly default?: unknown;
    readonly options?: readonly unknown[];
  }>;
  /** Seconds until an unanswered pause fails the task ("pause expired"). */
  readonly timeout_s?: number;
}

/**
 * Control commands that pause the task after this handler's next output (GATEWAY.md section 5):
 * the pause metadata into `x-asya-pause-metadata`, and `x-pause` first in `next`. The actor after
 * the pause sees the payload with the human's answers merged. In a generator handler:
 * @example
 * async function* review(draft) {
 *   yield* pauseNext({ prompt: "Approve?", fields: [{ name: "approved", type: "boolean", required: true }] });
 *   yield draft; // goes to x-pause; the next actor gets { ...draft, approved }
 * }
 */
export function* pauseNext(request: PauseRequest): Generator<ControlCommand, void, unknown> {
  const next = (yield ["GET", ".route.next"]) as string[];
  yield ["SET", `.headers["${HEADER_PAUSE_METADATA}"]`, request];
  if (next[0] !== PAUSE_ACTOR) yield ["SET", ".route.next", [PAUSE_ACTOR, ...next]];
}
