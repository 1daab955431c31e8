/** Options of {@link flow}, read by the compiler (they must be literals). */
export interface FlowOptions {
  /** Iterations a loop of this flow may run before the task ends failed. @default 100 */
  readonly maxIterations?: number;
}

/**
 * Marks an async function over one state value as a flow that `asya flow compile` turns into actor
 * routes. It returns `fn` itself: the flow stays an ordinary function a test can call directly with
 * its handlers as plain calls.
 * @example
 * export const triage = flow(async function triage(p: Doc): Promise<Doc> {
 *   p = await classify(p);
 *   if (p.confidence > 0.8) p = await store(p);
 *   return p;
 * });
 */
export function flow<F extends (state: never) => Promise<unknown>>(fn: F, _options?: FlowOptions): F {
  return fn;
}
