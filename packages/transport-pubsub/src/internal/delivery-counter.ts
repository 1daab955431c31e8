/**
 * Counts deliveries per message id in this process, for subscriptions without a dead-letter
 * policy (where Pub/Sub reports no `deliveryAttempt`). Bounded: the oldest ids are forgotten.
 */
export class DeliveryCounter {
  readonly #counts = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  /** Records one more delivery of `id` and returns how many this process has seen. */
  next(id: string): number {
    const count = (this.#counts.get(id) ?? 0) + 1;
    this.#counts.delete(id);
    this.#counts.set(id, count);
    if (this.#counts.size > this.#capacity) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    return count;
  }

  /** Forgets `id` once its message is settled for good. */
  forget(id: string): void {
    this.#counts.delete(id);
  }
}
