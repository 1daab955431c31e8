import { HEADER_FAN_IN } from "@asya/envelope";
import type { HandlerContext } from "../handler-types.js";

/** Options of {@link fanOutJoin}. */
export interface FanOutJoinOptions {
  /** Actors each item goes through before the aggregator (may be empty). */
  readonly via: readonly string[];
  /** The fan-in aggregator (`asya run --crew fan-in` with `ASYA_ACTOR_NAME=<aggregator>`). */
  readonly aggregator: string;
  /** JSON Pointer in the parent's payload where the items' results go, as an array. @default "/results" */
  readonly into?: string;
  /** The parent's payload (frame 0). @default the payload this handler received */
  readonly parent?: unknown;
}

/**
 * The frames of a fan-out that joins again (GATEWAY.md section 6), for a generator handler to
 * `yield*`: frame 0 is the parent, routed straight to the aggregator; frames 1..N are the items,
 * each through `via` and then the aggregator; every frame carries `x-asya-fan-in` with this
 * occurrence's `origin_id` (`<id>@<len(prev)>`, so a loop's second fan-out is a new aggregation).
 * After the join the parent goes on to this handler's `next`, with the results at `into`.
 * Yield nothing after it (the last frame's headers and route stay on the context).
 * @example
 * async function* split(doc, ctx) {
 *   yield* fanOutJoin(ctx, doc.chunks, { via: ["embed"], aggregator: "join-chunks", into: "/embeddings" });
 * }
 */
export function* fanOutJoin(
  ctx: HandlerContext,
  items: readonly unknown[],
  options: FanOutJoinOptions,
): Generator<unknown, void, unknown> {
  const rest = [...ctx.route.next];
  const frame = (index: number) => ({
    actor: options.aggregator,
    origin_id: `${ctx.envelope.id}@${ctx.route.prev.length}`,
    slice_index: index,
    slice_count: items.length + 1,
    aggregation_key: options.into ?? "/results",
  });
  ctx.headers[HEADER_FAN_IN] = frame(0);
  ctx.route.next = [options.aggregator, ...rest];
  yield options.parent === undefined ? ctx.envelope.payload : options.parent;
  for (const [i, item] of items.entries()) {
    ctx.headers[HEADER_FAN_IN] = frame(i + 1);
    ctx.route.next = [...options.via, options.aggregator, ...rest];
    yield item;
  }
}
