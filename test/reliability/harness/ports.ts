import { createServer } from "node:net";

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A namespace unique to this test run, so queues never collide with other tests or runs. */
export function uniqueNamespace(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
  return `rel-${prefix}-${Date.now().toString(36).slice(-5)}${random}`.toLowerCase();
}
