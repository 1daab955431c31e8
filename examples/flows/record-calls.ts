/**
 * A handlers module with every function wrapped to push its export name to `calls`: what a test's
 * `vi.mock(".../handlers.js", async (original) => recordCalls(await original(), calls))` returns,
 * so a flow called directly records its handler calls (the compiled run records them itself).
 */
export function recordCalls(module: Record<string, unknown>, calls: string[]): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(module).map(([name, value]) => [
      name,
      typeof value === "function"
        ? (...args: unknown[]) => {
            calls.push(name);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  );
}
