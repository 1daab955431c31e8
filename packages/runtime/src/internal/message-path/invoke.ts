import type { Envelope } from "@asya/envelope";
import type { Context } from "@opentelemetry/api";
import { ShutdownError, TimeoutError } from "../../errors.js";
import type { GatewayTarget } from "../../gateway/gateway-client.js";
import type { HandlerOutput } from "../../handler-types.js";
import { HandlerUnavailableError } from "../../remote/remote-errors.js";
import { HandlerCall } from "./handler-call.js";
import { invokeHandler, partialOutputsOf } from "./invoke-handler.js";
import type { PathDeps } from "./path-deps.js";

/** How a handler call ended. */
export type Invoked =
  | { readonly kind: "outputs"; readonly outputs: readonly HandlerOutput[] }
  | {
      readonly kind: "error";
      readonly error: unknown;
      /** Outputs to dispatch before the failure (see `partialOutputsOf`). */
      readonly partial: readonly HandlerOutput[];
    }
  /** Aborted by shutdown: the message goes back to the broker for another replica. */
  | { readonly kind: "shutdown" }
  /** The handler's process was not there or went away mid-call: redelivered, not failed. */
  | { readonly kind: "unavailable"; readonly error: HandlerUnavailableError };

/**
 * Stage 3: one handler call within `limitMs` (actor timeout or SLA, on the actor's single call
 * timer), inside the handler span's context. A call that times out or is aborted by shutdown ends
 * with that reason even if the handler swallowed the abort.
 */
export async function invoke(
  deps: PathDeps,
  working: Envelope,
  limitMs: number,
  traceContext: Context,
  target: GatewayTarget | undefined,
): Promise<Invoked> {
  const call = new HandlerCall();
  if (deps.shutdownSignal.aborted) call.abort(new ShutdownError());
  deps.calls.add(call);
  const cancel = deps.timer.schedule(limitMs, () => call.abort(new TimeoutError(limitMs)));
  const now = () => deps.clock.now();
  const startedMs = now();
  deps.metrics.inFlight(1);
  let outcome = "ok";
  try {
    const outputs = await invokeHandler(deps.handler, {
      actor: deps.actor,
      envelope: working,
      call,
      traceContext,
      onFly:
        target === undefined
          ? () => undefined
          : (partial) => deps.gateway.report(target, { type: "fly", data: partial }),
    });
    if (call.aborted) throw call.reason;
    return { kind: "outputs", outputs };
  } catch (thrown) {
    outcome = "error";
    const error = call.aborted ? call.reason : thrown;
    if (error instanceof ShutdownError) return { kind: "shutdown" };
    return error instanceof HandlerUnavailableError
      ? { kind: "unavailable", error }
      : { kind: "error", error, partial: partialOutputsOf(error) };
  } finally {
    cancel();
    deps.calls.delete(call);
    deps.metrics.inFlight(-1);
    deps.metrics.handlerDuration(now() - startedMs, outcome);
  }
}
