import {
  advanceRoute,
  type Envelope,
  HEADER_FAN_IN,
  HEADER_ORIGIN_ID,
  setAtPointer,
  stampStatus,
} from "@asya/envelope";
import type { JsonValue, StateStore } from "@asya/state";
import type { ActorHandle } from "../internal/actor-host.js";
import { silentLogger } from "../observability/logger.js";
import { createMetricsRegistry } from "../observability/metrics-registry.js";
import { type CrewOptions, createCrewActor } from "./crew-actor.js";
import { failToSink, sendOn, withSweep } from "./crew-state.js";
import { readFanInHeader } from "./fan-in-frame.js";

/** Options of {@link createFanInActor}. */
export interface FanInActorOptions extends CrewOptions {
  /** The aggregator's actor name (the `actor` of the frames' `x-asya-fan-in`). */
  readonly name: string;
  /** Where slices and merge markers are kept (shared by the aggregator's replicas). */
  readonly store: StateStore;
  /** An aggregation still incomplete this long after its first slice ends failed at x-sink. @default 10 min */
  readonly incompleteTimeoutMs?: number;
  /** How long a finished merge is remembered (redelivered slices are dropped meanwhile). @default 24 h */
  readonly completedTtlMs?: number;
  /** How often incomplete aggregations are looked at. @default 1000 */
  readonly sweepIntervalMs?: number;
}

type Marker = { readonly state: "merging" | "done" | "expired"; readonly by?: number; readonly at: string };

const keys = (origin: string) => ({
  slicePrefix: `fanin/slice/${origin}/`,
  slice: (index: number) => `fanin/slice/${origin}/${String(index).padStart(6, "0")}`,
  marker: `fanin/done/${origin}`,
  meta: `fanin/meta/${origin}`,
});
/** Open aggregations by first-slice time: `fanin/open/<iso>/<origin>`. */
const OPEN_PREFIX = "fanin/open/";

/** `envelope` without its fan-in header (for a failure report: x-sink drops partials). */
function withoutFanIn(envelope: Envelope): Envelope {
  const { [HEADER_FAN_IN]: _frame, ...headers } = envelope.headers ?? {};
  return { ...envelope, headers };
}

/**
 * The fan-in aggregator crew actor (GATEWAY.md section 6): stores each slice under its
 * (origin_id, slice_index), ignoring duplicates; when all `slice_count` are present it decides the
 * merge once (an atomic marker) and emits slice 0's envelope (the parent's id) with the payloads of
 * slices 1..N, in numeric order, as an array at `aggregation_key`, `x-asya-fan-in` removed and
 * `x-asya-origin-id` set, to the parent's next actor. A crash after the decision re-emits the same
 * envelope (same id, same content) when the deciding slice is redelivered; a slice redelivered after
 * the merge is dropped. An aggregation incomplete after `incompleteTimeoutMs` ends failed at x-sink
 * (`asya_fanin_incomplete` counts the open ones). A frame with a bad header ends failed at x-sink.
 */
export function createFanInActor(options: FanInActorOptions): ActorHandle {
  const {
    store,
    incompleteTimeoutMs = 600_000,
    completedTtlMs = 86_400_000,
    sweepIntervalMs = 1_000,
    ...crewOptions
  } = options;
  const { name, transport, namespace, claimCheck } = options;
  const logger = (options.logger ?? silentLogger).child({ actor: name });
  const registry = options.registry ?? createMetricsRegistry();
  const incomplete = registry.gauge("asya_fanin_incomplete", "Fan-in aggregations waiting for slices", {
    actor: name,
  });

  const merge = async (origin: string, count: number, key: string, decidedAt: string) => {
    const k = keys(origin);
    const stored = await store.listByPrefix(k.slicePrefix, { limit: count + 1 });
    const slices: Envelope[] = [];
    for (const sliceKey of stored.sort()) slices.push((await store.get(sliceKey)) as unknown as Envelope);
    const [parent, ...rest] = slices;
    if (parent === undefined || slices.length !== count)
      throw new Error(`fan-in ${origin}: slices missing at merge`);
    const { [HEADER_FAN_IN]: _frame, ...headers } = parent.headers ?? {};
    const merged: Envelope = {
      ...parent,
      headers: { ...headers, [HEADER_ORIGIN_ID]: origin },
      payload: setAtPointer(
        parent.payload,
        key,
        rest.map((slice) => slice.payload),
      ),
    };
    // Stamped at the decision's time, so a re-emitted copy is identical. An aggregator that ends the
    // route finishes the task like any last actor (SPEC section 2: succeeded, Completed).
    const advanced = advanceRoute(merged);
    const done = advanced.route.curr === "";
    const out = stampStatus(
      advanced,
      done ? { phase: "succeeded", reason: "Completed", actor: name } : { phase: "pending", actor: name },
      new Date(decidedAt),
    );
    await sendOn(transport, namespace, out, claimCheck);
  };

  const forget = async (origin: string) => {
    const k = keys(origin);
    const meta = (await store.get(k.meta)) as { open?: string } | undefined;
    for (const sliceKey of await store.listByPrefix(k.slicePrefix)) await store.delete(sliceKey);
    if (meta?.open !== undefined) await store.delete(meta.open);
    await store.delete(k.meta);
  };

  const actor = createCrewActor({
    ...crewOptions,
    registry,
    consume: async (envelope, { logger: log }) => {
      const frame = readFanInHeader(envelope.headers);
      if (!frame.ok || envelope.status?.reason === "ParseError") {
        await failToSink(
          transport,
          namespace,
          withoutFanIn(envelope),
          name,
          {
            type: "FanInError",
            message: frame.ok ? "the aggregator received a message that is not an envelope" : frame.message,
          },
          claimCheck,
        );
        return;
      }
      const {
        origin_id: origin,
        slice_index: index,
        slice_count: count,
        aggregation_key: key,
      } = frame.header;
      const k = keys(origin);
      const marker = (await store.get(k.marker)) as Marker | undefined;
      if (marker !== undefined) {
        // The deciding slice redelivered (its process died after the decision): emit again.
        if (marker.state === "merging" && marker.by === index) {
          await merge(origin, count, key, marker.at);
          await store.put(k.marker, { ...marker, state: "done" }, { ttlMs: completedTtlMs });
          await forget(origin);
          log.info("fan-in merge re-emitted", { origin_id: origin });
        } else {
          log.debug("slice after the merge decision; dropped", { origin_id: origin, slice_index: index });
        }
        return;
      }
      // The first slice opens the aggregation (indexed by time for the expiry sweep).
      if ((await store.get(k.meta)) === undefined) {
        const now = new Date().toISOString();
        const open = `${OPEN_PREFIX}${now}/${origin}`;
        await store.put(open, origin);
        if (!(await store.putIfAbsent(k.meta, { first: now, open }))) await store.delete(open);
      }
      await store.putIfAbsent(k.slice(index), envelope as unknown as JsonValue);
      const present = await store.listByPrefix(k.slicePrefix, { limit: count + 1 });
      if (present.length < count) return;
      const decision: Marker = { state: "merging", by: index, at: new Date().toISOString() };
      if (!(await store.putIfAbsent(k.marker, decision, { ttlMs: completedTtlMs }))) return;
      await merge(origin, count, key, decision.at);
      await store.put(k.marker, { ...decision, state: "done" }, { ttlMs: completedTtlMs });
      await forget(origin);
      log.info("fan-in merged", { origin_id: origin, slices: count });
    },
  });

  const sweep = async () => {
    const openKeys = await store.listByPrefix(OPEN_PREFIX, { limit: 10_000 });
    incomplete.set(openKeys.length);
    const cutoff = new Date(Date.now() - incompleteTimeoutMs).toISOString();
    for (const open of openKeys) {
      const rest = open.slice(OPEN_PREFIX.length);
      const first = rest.slice(0, rest.indexOf("/"));
      const origin = rest.slice(rest.indexOf("/") + 1);
      if (first > cutoff) break;
      const k = keys(origin);
      const expired: Marker = { state: "expired", at: new Date().toISOString() };
      if (await store.putIfAbsent(k.marker, expired, { ttlMs: completedTtlMs })) {
        const sliceKeys = await store.listByPrefix(k.slicePrefix);
        const sample =
          sliceKeys[0] === undefined ? undefined : ((await store.get(sliceKeys[0])) as unknown as Envelope);
        const total = sample === undefined ? undefined : readFanInHeader(sample.headers);
        if (sample !== undefined) {
          await failToSink(
            transport,
            namespace,
            withoutFanIn(sample),
            name,
            {
              type: "FanInIncomplete",
              message: `fan-in ${origin}: ${sliceKeys.length} of ${total?.ok ? total.header.slice_count : "?"} slices after ${Math.round(incompleteTimeoutMs / 1000)} s`,
            },
            claimCheck,
          );
        }
        logger.warn("fan-in aggregation expired incomplete", { origin_id: origin, slices: sliceKeys.length });
      }
      // Merged (a process died before cleaning up) or expired just now: its state goes.
      await forget(origin);
      await store.delete(open);
    }
  };
  return withSweep(actor, sweep, sweepIntervalMs, (error) =>
    logger.warn("fan-in sweep failed", { err: error.message }),
  );
}
