/** Status of one probe request: the HTTP status, or 0 when the server did not answer. */
export async function probe(port: number, path: "/healthz" | "/readyz" | "/metrics"): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls `/readyz` until it answers `ready` (2xx) or not-ready (anything else), up to `timeoutMs`. */
export async function waitForReadiness(port: number, ready: boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  while (Date.now() < deadline) {
    const status = await probe(port, "/readyz");
    const isReady = status >= 200 && status < 300;
    if (isReady === ready && (ready || status !== 0)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `[asya:test] /readyz on port ${port} did not report ${ready ? "ready" : "not-ready"} within ${timeoutMs} ms`,
  );
}
