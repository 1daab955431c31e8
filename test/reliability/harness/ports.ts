export { freePort } from "../../setup/net.js";

/** A namespace unique to this test run, so queues never collide with other tests or runs. */
export function uniqueNamespace(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
  return `rel-${prefix}-${Date.now().toString(36).slice(-5)}${random}`.toLowerCase();
}
