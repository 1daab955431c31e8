import { createMemoryTransport, type MemoryTransport } from "@asya/transport";
import { EventSource } from "eventsource";
import { afterEach } from "vitest";
import { createGateway, type Gateway, type GatewayOptions } from "../src/index.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A gateway on free ports with a memory transport (unless given), closed after the test. */
export async function startGateway(
  options: Partial<GatewayOptions> = {},
): Promise<{ gateway: Gateway; transport: MemoryTransport; api: string; internal: string }> {
  const transport = (options.transport as MemoryTransport | undefined) ?? createMemoryTransport();
  const gateway = await createGateway({ port: 0, internalPort: 0, ...options, transport });
  onCleanup(async () => {
    await gateway.close();
    if (options.transport === undefined) await transport.close();
  });
  const prefix = options.prefix ?? "/api/v1";
  return { gateway, transport, api: `${gateway.url}${prefix}`, internal: `${gateway.internalUrl}${prefix}` };
}

/** One SSE event as a client saw it. */
export interface SeenEvent {
  readonly type: string;
  readonly id: string | undefined;
  readonly data: unknown;
}

/**
 * Watches an SSE URL with the `eventsource` package (a client we did not write), closing after the
 * first terminal status event, or when `stopAfter` says so.
 */
export function watch(
  url: string,
  options: {
    token?: string;
    lastEventId?: string;
    stopAfter?: (events: readonly SeenEvent[]) => boolean;
  } = {},
) {
  const events: SeenEvent[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const source = new EventSource(url, {
    fetch: (input, init) =>
      fetch(input, {
        ...init,
        headers: {
          ...init.headers,
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...(options.lastEventId === undefined ? {} : { "last-event-id": options.lastEventId }),
        },
      }),
  });
  const stop = () => {
    source.close();
    resolveDone();
  };
  const onEvent = (type: string) => (message: MessageEvent) => {
    const data = JSON.parse(message.data as string) as { status?: string };
    events.push({ type, id: message.lastEventId === "" ? undefined : message.lastEventId, data });
    const terminal = type === "status" && ["succeeded", "failed", "canceled"].includes(data.status ?? "");
    if (terminal || options.stopAfter?.(events) === true) stop();
  };
  source.addEventListener("status", onEvent("status"));
  source.addEventListener("fly", onEvent("fly"));
  onCleanup(stop);
  return { events, done, close: stop, source };
}

/** POSTs JSON (or a raw string) and returns status and parsed body. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

/** Waits until `check` holds. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
