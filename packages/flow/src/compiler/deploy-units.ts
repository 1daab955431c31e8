import type { HandlerRef, SourceLocation } from "./ir.js";
import { type Continuation, decisionOf, type LoweredFlow, type Router, routeOf } from "./lower.js";

/** `asya.sh/role` of an actor of a compiled flow. */
export type FlowRole = "start" | "router" | "actor" | "fanin";

/** Resiliency (SPEC section 4) in the AsyncActor / `resolveResiliency` input form. */
export interface FlowResiliency {
  readonly actorTimeout?: string | number;
  readonly policies?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly rules?: ReadonlyArray<{ readonly errors: readonly string[]; readonly policy: string }>;
  readonly [field: string]: unknown;
}

/** One actor to run for a compiled flow: a handler, a router or a fan-in aggregator. */
export interface FlowActor {
  readonly name: string;
  readonly flow: string;
  readonly role: FlowRole;
  readonly loc: SourceLocation;
  /** The handler (role actor). */
  readonly handler?: HandlerRef;
  /** The router's export in routers.js (roles start and router). */
  readonly router?: string;
  /** Generated rules: inside try, failures go to the catch path (`onExhausted`). */
  readonly resiliency?: FlowResiliency;
}

/** The generated rules of an actor or router inside try: one attempt, then the catch path. */
export function catchResiliency(errorTarget: Continuation | undefined): FlowResiliency | undefined {
  if (errorTarget === undefined) return undefined;
  return { policies: { default: { maxAttempts: 1, onExhausted: routeOf(errorTarget) } } };
}

/**
 * Merges the user's resiliency for an actor over the generated one: the user's wins field by field
 * (so a user's `maxAttempts: 3` retries before the catch path), and every policy of the user's
 * that sets no `onExhausted` still ends in the catch path, as an exception would in the function.
 */
export function mergeResiliency(
  generated: FlowResiliency | undefined,
  user: FlowResiliency | undefined,
): FlowResiliency | undefined {
  if (generated === undefined) return user;
  if (user === undefined) return generated;
  const catchPath = (generated.policies?.default as { onExhausted?: unknown } | undefined)?.onExhausted;
  const policies: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const name of new Set([
    ...Object.keys(generated.policies ?? {}),
    ...Object.keys(user.policies ?? {}),
  ])) {
    const merged = { ...generated.policies?.[name], ...user.policies?.[name] };
    if (catchPath !== undefined && merged.onExhausted === undefined && merged.thenRoute === undefined) {
      merged.onExhausted = catchPath;
    }
    policies[name] = merged;
  }
  return { ...generated, ...user, policies };
}

/** Every actor a compiled flow needs (besides the crew x-sink, x-pause, x-resume), start first. */
export function deployUnits(lowered: LoweredFlow): FlowActor[] {
  const flow = lowered.flow.name;
  const units: FlowActor[] = [];
  for (const router of lowered.routers) units.push(routerUnit(flow, router, router === lowered.start));
  for (const actor of lowered.actors) {
    const resiliency = catchResiliency(actor.errorTarget);
    units.push({
      name: actor.name,
      flow,
      role: "actor",
      loc: lowered.flow.loc,
      handler: actor.handler,
      ...(resiliency === undefined ? {} : { resiliency }),
    });
  }
  for (const aggregator of lowered.aggregators) {
    units.push({ name: aggregator.name, flow, role: "fanin", loc: aggregator.loc });
  }
  return units;
}

function routerUnit(flow: string, router: Router, isStart: boolean): FlowActor {
  const resiliency = catchResiliency(router.errorTarget);
  return {
    name: router.name,
    flow,
    role: isStart ? "start" : "router",
    loc: router.loc,
    router: router.name,
    ...(resiliency === undefined ? {} : { resiliency }),
  };
}

/** Whether the flow pauses (then it needs the crew x-pause and x-resume). */
export function usesPause(lowered: LoweredFlow): boolean {
  return lowered.routers.some((router) => decisionOf(router).kind === "pause");
}
