import { type Clock, type ClockTimer, systemClock } from "../clock.js";
import { type HeapNode, MinHeap } from "./min-heap.js";

/** A scheduled callback of {@link TimerQueue}. */
export interface TimerNode extends HeapNode {
  fire(): void;
}

/**
 * Runs callbacks at due times (the clock's ms) using a min-heap and ONE timer armed for the
 * earliest node, so a million delayed messages cost a million heap nodes, not a million timers.
 */
export class TimerQueue {
  readonly #heap = new MinHeap<TimerNode>();
  readonly #clock: Clock;
  #timer: ClockTimer | undefined;
  #armedAt = Number.POSITIVE_INFINITY;
  #seq = 0;
  #referenced = true;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** The clock's current time (what `dueAt` is measured in). */
  now(): number {
    return this.#clock.now();
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Schedule `node` at `node.dueAt` (the clock's ms, see {@link now}). */
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
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    this.#disarm();
    const top = this.#heap.peek();
    if (top === undefined) return;
    this.#armedAt = top.dueAt;
    this.#timer = this.#clock.setTimer(() => this.#run(), top.dueAt - this.#clock.now());
    if (!this.#referenced) this.#timer.unref();
  }

  #run(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const t = this.#clock.now();
    for (let top = this.#heap.peek(); top !== undefined && top.dueAt <= t; top = this.#heap.peek()) {
      this.#heap.pop();
      top.fire();
    }
    if (this.#timer === undefined) this.#arm();
  }
}
