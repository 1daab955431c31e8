import type { Envelope } from "@asya/envelope";
import { ShutdownError, TimeoutError } from "../errors.js";
import type { Handler, HandlerOutput } from "../handler-types.js";
import { invokeHandler } from "./invoke-handler.js";

/** Longest delay a Node timer supports (~24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * One handler call with its own AbortSignal: aborted with `TimeoutError` after `limitMs` and with
 * `ShutdownError` when `shutdownSignal` fires. Rejects with that reason even when the handler
 * swallowed the abort, so a timed-out call always counts as timed out.
 */
export async function runWithLimits<TPayload>(
  handler: Handler<TPayload>,
  actor: string,
  envelope: Envelope,
  limitMs: number,
  shutdownSignal: AbortSignal,
  onFly: (partial: unknown) => void,
): Promise<HandlerOutput[]> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutError(limitMs)),
    Math.min(Math.max(0, limitMs), MAX_TIMER_MS),
  );
  const onShutdown = (): void => controller.abort(new ShutdownError());
  shutdownSignal.addEventListener("abort", onShutdown, { once: true });
  if (shutdownSignal.aborted) onShutdown();
  try {
    return await invokeHandler(handler, { actor, envelope, signal: controller.signal, onFly });
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    shutdownSignal.removeEventListener("abort", onShutdown);
  }
}
