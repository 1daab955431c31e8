import type { DiagnosticBag } from "./compile-error.js";
import type {
  FanOutSource,
  FlowStatement,
  HandlerRef,
  ParsedFlow,
  RouterCode,
  SourceLocation,
} from "./ir.js";
import { slugOf, withSlug } from "./names.js";

/** A handler's actor as a route uses it (a handler inside `try` gets an actor per try). */
export interface ActorUse {
  /** A handler's own actor name; inside try, `<handler>-<slug of its catch path>` (named last). */
  name: string;
  readonly handler: HandlerRef;
  /** Where an exhausted failure goes (the catch path); `undefined` outside try. */
  readonly errorTarget: Continuation | undefined;
}

/**
 * What happens next, as a route: these actors, then that router (`undefined`: the route ends and
 * the state goes to x-sink). `resets` are loop counters the router choosing this path clears.
 */
export interface Continuation {
  readonly actors: readonly ActorUse[];
  readonly router: Router | undefined;
  readonly resets: readonly string[];
}

/** The fan-out's slices: each item (or a copy of the state) through its actors. */
export interface FanOutPlan {
  readonly pointer: string;
  readonly source: FanOutSource;
  /** The actors of slice i (map: the same for every item). */
  readonly via: readonly (readonly ActorUse[])[];
  /** The statement's source (the aggregator's name derives from it). */
  readonly text: string;
  /** The fan-in aggregator's name, assigned with the routers' names. */
  aggregator: string;
}

export type Decision =
  /** `saveError`: on a finally's error path, keep the error that brought the envelope here. */
  | { readonly kind: "goto"; readonly to: Continuation; readonly saveError?: string }
  | {
      readonly kind: "branch";
      readonly condition: RouterCode;
      readonly yes: Continuation;
      readonly no: Continuation;
    }
  | {
      readonly kind: "loop";
      readonly loop: string;
      readonly condition: RouterCode | undefined;
      readonly body: Continuation;
      readonly exit: Continuation;
      readonly max: number;
    }
  | { readonly kind: "fan-out"; readonly plan: FanOutPlan; readonly after: Continuation }
  | { readonly kind: "pause"; readonly request: RouterCode; readonly after: Continuation }
  | { readonly kind: "throw"; readonly value: RouterCode }
  /**
   * After a finally run on the error path: throws the error its `saveError` router kept (a try or
   * catch inside the finally may have failed since, and the runtime's routed-error header with it).
   */
  | { readonly kind: "rethrow"; readonly loc: SourceLocation; readonly key: string }
  /** Falling off the flow's end: a compile error if reachable. */
  | { readonly kind: "fall" };

export type RouterKind = "start" | "if" | "while" | "code" | "fan-out" | "pause" | "throw" | "catch";

/** A generated router actor: runs its code over the state, then its decision sets `route.next`. */
export interface Router {
  readonly id: number;
  readonly kind: RouterKind;
  readonly code: readonly RouterCode[];
  /** Set once (loops get theirs after their body); a fused copy reads its source's. */
  decision: Decision | undefined;
  readonly decisionFrom: Router | undefined;
  readonly loc: SourceLocation;
  readonly errorTarget: Continuation | undefined;
  /** Assigned once the reachable routers are known. */
  name: string;
}

/** A fan-in aggregator of one fan-out. */
export interface Aggregator {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly text: string;
}

/** The lowered flow: the start router and everything reachable from it. */
export interface LoweredFlow {
  readonly flow: ParsedFlow;
  readonly start: Router;
  readonly routers: readonly Router[];
  readonly actors: readonly ActorUse[];
  readonly aggregators: readonly Aggregator[];
}

interface Context {
  readonly onReturn: Continuation;
  readonly onBreak: Continuation | undefined;
  readonly onContinue: Continuation | undefined;
  readonly errorTarget: Continuation | undefined;
}

const END: Continuation = { actors: [], router: undefined, resets: [] };

/** The decision a router runs (a fused copy runs its source's). */
export function decisionOf(router: Router): Decision {
  const decision = router.decisionFrom === undefined ? router.decision : decisionOf(router.decisionFrom);
  if (decision === undefined) throw new Error(`[asya:flow] router ${router.id} has no decision`);
  return decision;
}

/** The route a continuation stands for: its actors, then its router. */
export function routeOf(continuation: Continuation): string[] {
  return [
    ...continuation.actors.map((a) => a.name),
    ...(continuation.router === undefined ? [] : [continuation.router.name]),
  ];
}

/** Every continuation a decision may choose. */
export function continuationsOf(decision: Decision): Continuation[] {
  switch (decision.kind) {
    case "goto":
      return [decision.to];
    case "branch":
      return [decision.yes, decision.no];
    case "loop":
      // while (true) leaves only by break (its own continuation, reached through the body).
      return decision.condition === undefined ? [decision.body] : [decision.body, decision.exit];
    case "fan-out":
      return [decision.after];
    case "pause":
      return [decision.after];
    default:
      return [];
  }
}

/** Statements -> routers and actor routes (continuation-passing, from the last statement back). */
export function lowerFlow(flow: ParsedFlow, bag: DiagnosticBag): LoweredFlow {
  const lowering = new Lowering(flow);
  const fall = lowering.router("code", [], { kind: "fall" }, flow.endLoc, undefined);
  const entry = lowering.sequence(flow.body, lowering.contOf(fall), {
    onReturn: END,
    onBreak: undefined,
    onContinue: undefined,
    errorTarget: undefined,
  });
  const start =
    entry.actors.length === 0 && entry.router !== undefined && entry.resets.length === 0
      ? lowering.fused("start", entry.router.code, entry.router, entry.router.errorTarget)
      : lowering.router("start", [], { kind: "goto", to: entry }, flow.loc, undefined);
  const reachable = collect(start);
  if (reachable.routers.includes(fall)) {
    bag.add(
      flow.endLoc,
      `flow ${flow.name} can reach its end without returning the state`,
      "end every path with return p;",
    );
  }
  nameRouters(flow, start, reachable.routers);
  const actors = nameTrySites(reachable.actors);
  const aggregators = nameAggregators(flow, reachable.routers);
  return { flow, start, routers: reachable.routers, actors, aggregators };
}

class Lowering {
  readonly #flow: ParsedFlow;
  #nextId = 0;

  constructor(flow: ParsedFlow) {
    this.#flow = flow;
  }

  router(
    kind: RouterKind,
    code: readonly RouterCode[],
    decision: Decision | undefined,
    loc: SourceLocation,
    errorTarget: Continuation | undefined,
  ): Router {
    return { id: this.#nextId++, kind, code, decision, decisionFrom: undefined, loc, errorTarget, name: "" };
  }

  fused(
    kind: RouterKind,
    code: readonly RouterCode[],
    source: Router,
    errorTarget: Continuation | undefined,
  ): Router {
    const loc = code[0]?.loc ?? source.loc;
    return {
      id: this.#nextId++,
      kind,
      code,
      decision: undefined,
      decisionFrom: source,
      loc,
      errorTarget,
      name: "",
    };
  }

  contOf(router: Router): Continuation {
    return { actors: [], router, resets: [] };
  }

  sequence(statements: readonly FlowStatement[], next: Continuation, context: Context): Continuation {
    let continuation = next;
    for (let i = statements.length - 1; i >= 0; i--) {
      continuation = this.#statement(statements[i] as FlowStatement, continuation, context);
    }
    return continuation;
  }

  #statement(statement: FlowStatement, next: Continuation, context: Context): Continuation {
    switch (statement.kind) {
      case "call":
        return { ...next, actors: [this.#actor(statement.handler, context), ...next.actors] };
      case "code":
        return this.#code(statement.code, next, context);
      case "if": {
        const then = this.sequence(statement.yes, next, context);
        const otherwise = this.sequence(statement.no, next, context);
        const decision: Decision = {
          kind: "branch",
          condition: statement.condition,
          yes: then,
          no: otherwise,
        };
        return this.contOf(this.router("if", [], decision, statement.loc, context.errorTarget));
      }
      case "while": {
        const source = statement.condition?.source ?? "true";
        const loop = slugOf(`${this.#flow.name}:${source}:${statement.loc.line}`);
        const router = this.router("while", [], undefined, statement.loc, context.errorTarget);
        // Leaving the loop by break, or by a return that continues the caller (an inlined flow),
        // clears its counter: entered again, it counts from zero.
        const leave = (exit: Continuation) => ({ ...exit, resets: [...exit.resets, loop] });
        const body = this.sequence(statement.body, this.contOf(router), {
          ...context,
          onBreak: leave(next),
          onContinue: this.contOf(router),
          onReturn: context.onReturn === END ? END : leave(context.onReturn),
        });
        router.decision = {
          kind: "loop",
          loop,
          condition: statement.condition,
          body,
          exit: next,
          max: this.#flow.maxIterations,
        };
        return this.contOf(router);
      }
      case "break":
        return context.onBreak ?? next;
      case "continue":
        return context.onContinue ?? next;
      case "return":
        return context.onReturn;
      case "throw":
        return this.contOf(
          this.router(
            "throw",
            [],
            { kind: "throw", value: statement.value },
            statement.value.loc,
            context.errorTarget,
          ),
        );
      case "try":
        return this.#try(statement, next, context);
      case "fan-out": {
        const via =
          statement.source.kind === "map"
            ? [[this.#actor(statement.source.handler, context)]]
            : statement.source.handlers.map((handler) => [this.#actor(handler, context)]);
        const plan: FanOutPlan = {
          pointer: statement.pointer,
          source: statement.source,
          via,
          text: statement.text,
          aggregator: "",
        };
        const decision: Decision = { kind: "fan-out", plan, after: next };
        return this.contOf(this.router("fan-out", [], decision, statement.loc, context.errorTarget));
      }
      case "pause": {
        const decision: Decision = { kind: "pause", request: statement.request, after: next };
        return this.contOf(this.router("pause", [], decision, statement.request.loc, context.errorTarget));
      }
      case "inline":
        return this.sequence(statement.body, next, {
          ...context,
          onReturn: next,
          onBreak: undefined,
          onContinue: undefined,
        });
    }
  }

  /** Code runs in the next router when nothing runs between them (and a failure goes the same way). */
  #code(code: RouterCode, next: Continuation, context: Context): Continuation {
    const target = next.router;
    if (
      next.actors.length === 0 &&
      target !== undefined &&
      next.resets.length === 0 &&
      target.errorTarget === context.errorTarget &&
      target.kind !== "start" &&
      (target.decisionFrom !== undefined || target.decision?.kind !== "fall")
    ) {
      return this.contOf(this.fused(target.kind, [code, ...target.code], target, context.errorTarget));
    }
    return this.contOf(
      this.router("code", [code], { kind: "goto", to: next }, code.loc, context.errorTarget),
    );
  }

  #try(
    statement: Extract<FlowStatement, { kind: "try" }>,
    next: Continuation,
    context: Context,
  ): Continuation {
    const finalizer = statement.finally;
    // finally runs on every way out: each exit gets its own copy of the finally actors.
    const through = (exit: Continuation): Continuation =>
      finalizer === undefined ? exit : this.sequence(finalizer, exit, context);
    const wrap = (exit: Continuation | undefined) => (exit === undefined ? undefined : through(exit));
    const after = through(next);
    // Each copy of a try keeps its pending error under a key of its own.
    const key = `t${++this.#tryCopies}`;
    const rethrow = this.contOf(
      this.router(
        "throw",
        [],
        { kind: "rethrow", loc: statement.loc, key },
        statement.loc,
        context.errorTarget,
      ),
    );
    const finallyThenRethrow = () =>
      this.contOf(
        this.router(
          "catch",
          [],
          { kind: "goto", to: through(rethrow), saveError: key },
          statement.loc,
          context.errorTarget,
        ),
      );
    const handlerContext: Context = {
      ...context,
      onReturn: through(context.onReturn),
      onBreak: wrap(context.onBreak),
      onContinue: wrap(context.onContinue),
      errorTarget: finalizer === undefined ? context.errorTarget : finallyThenRethrow(),
    };
    const caught =
      statement.catch === undefined
        ? finallyThenRethrow()
        : this.#asRouter(this.sequence(statement.catch, after, handlerContext), handlerContext);
    return this.sequence(statement.body, after, {
      ...handlerContext,
      errorTarget: caught,
    });
  }

  /** The catch path starts at a router (onExhausted needs a route, and it may reset loops). */
  #asRouter(continuation: Continuation, context: Context): Continuation {
    if (
      continuation.actors.length === 0 &&
      continuation.router !== undefined &&
      continuation.resets.length === 0
    ) {
      return continuation;
    }
    const loc = continuation.router?.loc ?? this.#flow.endLoc;
    return this.contOf(
      this.router("catch", [], { kind: "goto", to: continuation }, loc, context.errorTarget),
    );
  }

  // Inside try, one actor per handler and catch path: each copy of a try (a finally compiled onto
  // several exits, a flow inlined twice) has a catch path of its own, so its actors are its own.
  readonly #trySites = new Map<Continuation, Map<string, ActorUse>>();
  #tryCopies = 0;

  #actor(handler: HandlerRef, context: Context): ActorUse {
    const target = context.errorTarget;
    if (target === undefined) return { name: handler.actor, handler, errorTarget: undefined };
    let sites = this.#trySites.get(target);
    if (sites === undefined) {
      sites = new Map();
      this.#trySites.set(target, sites);
    }
    const key = `${handler.moduleFile}#${handler.exportName}#${handler.actor}`;
    let use = sites.get(key);
    if (use === undefined) {
      use = { name: "", handler, errorTarget: target };
      sites.set(key, use);
    }
    return use;
  }
}

/** The routers and actors reachable from `start`, in breadth-first order. */
function collect(start: Router): { routers: Router[]; actors: ActorUse[] } {
  const routers: Router[] = [];
  const actors = new Set<ActorUse>();
  const seen = new Set<Router>();
  const queue: Router[] = [start];
  const visit = (continuation: Continuation | undefined) => {
    if (continuation === undefined) return;
    for (const actor of continuation.actors) {
      if (!actors.has(actor)) {
        actors.add(actor);
        visit(actor.errorTarget);
      }
    }
    if (continuation.router !== undefined && !seen.has(continuation.router)) {
      seen.add(continuation.router);
      queue.push(continuation.router);
    }
  };
  seen.add(start);
  while (queue.length > 0) {
    const router = queue.shift() as Router;
    routers.push(router);
    const decision = decisionOf(router);
    for (const continuation of continuationsOf(decision)) visit(continuation);
    if (decision.kind === "fan-out")
      for (const slice of decision.plan.via) visit({ actors: slice, router: undefined, resets: [] });
    visit(router.errorTarget);
  }
  return { routers, actors: [...actors] };
}

/**
 * Names the actors of try sites after the routers: `<handler>-<slug of the catch path's route>`,
 * so distinct catch paths never share an actor (and an unrelated edit keeps the name). Returns one
 * use per actor name.
 */
function nameTrySites(actors: readonly ActorUse[]): ActorUse[] {
  const named = new Set<ActorUse>();
  const nameOf = (use: ActorUse): string => {
    if (use.errorTarget === undefined || named.has(use)) return use.name;
    const route = [...use.errorTarget.actors.map(nameOf), use.errorTarget.router?.name ?? ""];
    use.name = withSlug(use.handler.actor, slugOf(route.join(",")));
    named.add(use);
    return use.name;
  };
  const byName = new Map<string, ActorUse>();
  for (const use of actors) {
    const name = nameOf(use);
    if (!byName.has(name)) byName.set(name, use);
  }
  return [...byName.values()];
}

/** The content a router's name is derived from (not its targets: an edit elsewhere keeps it). */
function contentOf(router: Router): string {
  const decision = decisionOf(router);
  const parts: string[] = [router.kind, ...router.code.map((c) => c.source)];
  if (decision.kind === "branch" || decision.kind === "loop")
    parts.push(decision.condition?.source ?? "true");
  if (decision.kind === "fan-out") parts.push(decision.plan.pointer);
  if (decision.kind === "pause") parts.push(decision.request.source);
  if (decision.kind === "throw") parts.push(decision.value.source);
  if (decision.kind === "goto" && router.code.length === 0) parts.push(routeOf(decision.to).join(","));
  return parts.join("\n");
}

function nameRouters(flow: ParsedFlow, start: Router, routers: readonly Router[]): void {
  const used = new Map<string, number>();
  for (const router of routers) {
    if (router === start) {
      router.name = `start-${flow.name}`.slice(0, 63).replace(/-$/, "");
      continue;
    }
    const base = withSlug(`${flow.name}-${router.kind}`, slugOf(contentOf(router)));
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    router.name = count === 1 ? base : withSlug(base, String(count));
  }
}

function nameAggregators(flow: ParsedFlow, routers: readonly Router[]): Aggregator[] {
  const aggregators: Aggregator[] = [];
  const used = new Map<string, number>();
  for (const router of routers) {
    const decision = decisionOf(router);
    // A fused copy shares its source's plan (and so its aggregator).
    if (decision.kind !== "fan-out" || decision.plan.aggregator !== "") continue;
    const base = withSlug(`${flow.name}-fan-in`, slugOf(decision.plan.text));
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    decision.plan.aggregator = count === 1 ? base : withSlug(base, String(count));
    aggregators.push({ name: decision.plan.aggregator, loc: router.loc, text: decision.plan.text });
  }
  return aggregators;
}
