/**
 * One handler call's abort state. The `AbortController` behind `ctx.signal` is created only when a
 * handler asks for it (most never do); a time-out or shutdown still ends the call at once, because
 * {@link HandlerCall.race} rejects with the abort reason whatever the handler does.
 */
export class HandlerCall {
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  #reject: ((reason: unknown) => void) | undefined;

  /** The call's signal (created on first use, already aborted when the call was). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why the call was aborted (`TimeoutError`, `ShutdownError`), once it was. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Aborts the call: the signal fires and a pending {@link race} rejects with `reason`. Idempotent. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#reject?.(reason);
  }

  /** Throws the abort reason when the call was aborted. */
  throwIfAborted(): void {
    if (this.#aborted) throw this.#reason;
  }

  /**
   * `value` unchanged when it is not a promise (the synchronous fast path); otherwise a promise that
   * settles like it, or rejects with the abort reason as soon as the call is aborted.
   */
  race<T>(value: T | PromiseLike<T>): T | Promise<T> {
    if (!isThenable(value)) return value;
    if (this.#aborted) return Promise.reject(this.#reason);
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      value.then(
        (result) => {
          this.#reject = undefined;
          resolve(result);
        },
        (error: unknown) => {
          this.#reject = undefined;
          reject(error);
        },
      );
    });
  }
}

/** A promise or anything with a `then` method. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
