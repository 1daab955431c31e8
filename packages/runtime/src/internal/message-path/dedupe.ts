import type { Envelope } from "@asya/envelope";
import type { StateStore } from "@asya/state";

/** The optional de-duplication guard of an actor (issue 18): a lease per call, `done` after publish. */
export interface DedupeGuard {
  readonly store: StateStore;
  /** How long a `done` mark is kept (redeliveries within it are acked without a call). */
  readonly ttlMs: number;
}

/** What the guard says before a call. */
export type DedupeClaim =
  | { readonly kind: "claimed"; readonly key: string }
  /** Processed already: ack without calling the handler. */
  | { readonly kind: "done" }
  /** Another copy holds a live lease: try again later. */
  | { readonly kind: "busy" };

/**
 * The key of one visit of `envelope` at `actor`: (id, actor, len(prev)), so loop revisits and
 * `["x-pause", "self"]` turns are distinct visits.
 */
export function dedupeKey(actor: string, envelope: Envelope): string {
  return `dedupe/${actor}/${envelope.id}/${envelope.route.prev.length}`;
}

/** Claims the visit with a lease that expires with the call's limit (a crashed claimer's lease lapses). */
export async function claimVisit(guard: DedupeGuard, key: string, leaseMs: number): Promise<DedupeClaim> {
  if (
    await guard.store.putIfAbsent(key, { state: "lease", at: new Date().toISOString() }, { ttlMs: leaseMs })
  )
    return { kind: "claimed", key };
  const current = (await guard.store.get(key)) as { state?: string } | undefined;
  if (current?.state === "done") return { kind: "done" };
  if (current === undefined) return claimVisit(guard, key, leaseMs); // lapsed just now
  return { kind: "busy" };
}

/** After the outputs are durably published: the visit is done. */
export async function markDone(guard: DedupeGuard, key: string): Promise<void> {
  await guard.store.put(key, { state: "done", at: new Date().toISOString() }, { ttlMs: guard.ttlMs });
}

/** After a failed call (its retry is a new attempt of the same visit) or a publish that failed. */
export async function releaseVisit(guard: DedupeGuard, key: string): Promise<void> {
  await guard.store.delete(key);
}
