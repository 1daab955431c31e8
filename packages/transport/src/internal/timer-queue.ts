import { performance } from "node:perf_hooks";
import { type HeapNode, MinHeap } from "./min-heap.js";

/** A scheduled callback of {@link TimerQueue}. */
export interface TimerNode extends HeapNode {
  fire(): void;
}

// setTimeout clamps larger values to 1 ms; longer waits are re-armed in steps.
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Monotonic clock in ms. */
export function now(): number {
  return performance.now();
}

/**
 * Runs callbacks at (monotonic) due times using a min-heap and ONE `setTimeout` armed for the
 * earliest node, so a million delayed messages cost a million heap nodes, not a million timers.
 */
export class TimerQueue {
  readonly #heap = new MinHeap<TimerNode>();
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Number.POSITIVE_INFINITY;
  #seq = 0;
  #referenced = true;

  get size(): number {
    return this.#heap.size;
  }

  /** Schedule `node` at `node.dueAt` (monotonic ms, see {@link now}). */
  schedule(node: TimerNode): void {
    node.seq = this.#seq++;
    this.#heap.push(node);
    if (node.dueAt < this.#armedAt) this.#arm();
  }

  /** Unschedule `node`; a no-op when it already fired or was cancelled. */
  cancel(node: TimerNode): void {
    // The armed timer may now be early; it re-arms itself when it fires, which is cheaper than
    // clearing and re-creating it on every cancel.
    this.#heap.remove(node);
    if (this.#heap.size === 0) this.#disarm();
  }

  /** Whether the pending timer keeps the process alive (it does while transports are open). */
  setReferenced(referenced: boolean): void {
    this.#referenced = referenced;
    if (this.#timer === undefined) return;
    if (referenced) this.#timer.ref();
    else this.#timer.unref();
  }

  /** Cancel everything. */
  clear(): void {
    while (this.#heap.pop() !== undefined) {}
    this.#disarm();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    this.#disarm();
    const top = this.#heap.peek();
    if (top === undefined) return;
    const waitMs = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil(top.dueAt - now())));
    this.#armedAt = top.dueAt;
    this.#timer = setTimeout(() => this.#run(), waitMs);
    if (!this.#referenced) this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const t = now();
    for (let top = this.#heap.peek(); top !== undefined && top.dueAt <= t; top = this.#heap.peek()) {
      this.#heap.pop();
      top.fire();
    }
    if (this.#timer === undefined) this.#arm();
  }
}
