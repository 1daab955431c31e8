import type { TransportError } from "@asya/transport";
import type { ChannelModel } from "amqplib";
import { classifyRabbitMqError } from "../classify-rabbitmq-error.js";
import type { ResolvedRabbitMqOptions } from "../rabbitmq-options.js";
import { redactUrl } from "../redact.js";
import { abortedError, backoffDelayMs, rabbitError } from "./timing.js";

/**
 * Imports the `amqplib` peer dependency (lazily, so topology helpers and the classifier work
 * without it). A missing package is not a connection problem: it is reported as such, not retried.
 *
 * @throws TransportError `INVALID_ARGUMENT` (not retryable) naming the package to install.
 */
async function loadAmqplib(): Promise<typeof import("amqplib")> {
  try {
    return await import("amqplib");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw rabbitError(
        "amqplib is not installed: `npm install amqplib` (the peer dependency of @asya/transport-rabbitmq)",
        "INVALID_ARGUMENT",
        false,
        error,
      );
    }
    throw error;
  }
}

/** One live connection; `generation` increases with every (re)connect. */
export interface Connected {
  readonly connection: ChannelModel;
  readonly generation: number;
}

interface Waiter {
  resolve(connected: Connected): void;
  reject(error: TransportError): void;
}

/**
 * Owns the AMQP connection: connects, reconnects with bounded exponential backoff + jitter after
 * any loss, and tells listeners when a generation goes up or down.
 */
export class ConnectionManager {
  private current: Connected | undefined;
  private generation = 0;
  private attempt = 0;
  private closed = false;
  private connecting = false;
  private timer: NodeJS.Timeout | undefined;
  private lastError: TransportError | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly upListeners = new Set<(connected: Connected) => void>();
  private readonly downListeners = new Set<(generation: number) => void>();

  constructor(
    private readonly options: ResolvedRabbitMqOptions,
    private readonly secrets: readonly string[],
  ) {}

  /** Starts connecting (or adopts the provided connection). */
  start(): void {
    if (this.options.connection !== undefined) this.adopt(this.options.connection);
    else void this.connectOnce();
  }

  /** The live connection, if any (synchronous fast path of {@link acquire}). */
  connectedNow(): Connected | undefined {
    return this.closed ? undefined : this.current;
  }

  /** True while a connection is open. */
  isReady(): boolean {
    return this.current !== undefined && !this.closed;
  }

  /** Called with every new generation (including the first). */
  onUp(listener: (connected: Connected) => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /** Called when a generation is lost. */
  onDown(listener: (generation: number) => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  /**
   * The live connection, waiting for a reconnect until `deadline` (epoch ms). Fails fast with the
   * last connect error when it is not retryable (bad credentials, missing vhost).
   */
  acquire(deadline: number, signal?: AbortSignal): Promise<Connected> {
    if (this.closed) return Promise.reject(rabbitError("transport is closed", "CLOSED", false));
    if (this.current !== undefined) return Promise.resolve(this.current);
    if (this.lastError !== undefined && !this.lastError.retryable) return Promise.reject(this.lastError);
    if (signal?.aborted) return Promise.reject(abortedError(signal));
    return new Promise<Connected>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          cleanup();
          const detail = this.lastError === undefined ? "" : `: ${this.lastError.message}`;
          reject(rabbitError(`not connected to the broker${detail}`, "CONNECTION", true, this.lastError));
        },
        Math.max(0, deadline - Date.now()),
      );
      const onAbort = (): void => {
        cleanup();
        reject(abortedError(signal!));
      };
      const waiter: Waiter = {
        resolve: (connected) => {
          cleanup();
          resolve(connected);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.waiters.delete(waiter);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Closes the connection (unless it was provided by the application). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const closedError = rabbitError("transport is closed", "CLOSED", false);
    for (const waiter of [...this.waiters]) waiter.reject(closedError);
    const current = this.current;
    this.current = undefined;
    if (current !== undefined && this.options.connection === undefined) {
      await current.connection.close().catch(() => undefined);
    }
  }

  private log(
    level: "debug" | "info" | "warn" | "error",
    message: string,
    fields?: Record<string, unknown>,
  ): void {
    this.options.logger?.[level]?.(`[asya:rabbitmq] ${message}`, fields);
  }

  private connectUrl(): string {
    const url = new URL(this.options.url!);
    url.searchParams.set("heartbeat", String(this.options.heartbeatSec));
    return url.toString();
  }

  private async connectOnce(): Promise<void> {
    if (this.closed || this.connecting) return;
    this.connecting = true;
    const target = redactUrl(this.options.url!);
    try {
      const amqp = await loadAmqplib();
      const connection = await amqp.connect(this.connectUrl(), {
        // amqplib leaves Nagle on: a small publish or ack then waits for the peer's delayed ACK (~40 ms
        // on Linux) whenever the previous segment is unacknowledged. A queue client wants its frames
        // out at once; socketOptions may still say otherwise.
        noDelay: true,
        ...this.options.socketOptions,
        timeout: this.options.connectTimeoutMs,
        clientProperties: { connection_name: this.options.connectionName },
      });
      this.connecting = false;
      if (this.closed) {
        await connection.close().catch(() => undefined);
        return;
      }
      this.attempt = 0;
      this.log("info", "connected", { url: target });
      this.adopt(connection);
    } catch (error) {
      this.connecting = false;
      this.lastError = classifyRabbitMqError(error, this.secrets);
      if (!this.lastError.retryable) {
        for (const waiter of [...this.waiters]) waiter.reject(this.lastError);
      }
      this.scheduleReconnect(target);
    }
  }

  private scheduleReconnect(target: string): void {
    if (this.closed) return;
    const delayMs = backoffDelayMs(
      this.attempt++,
      this.options.reconnectInitialDelayMs,
      this.options.reconnectMaxDelayMs,
    );
    this.log("warn", "connection failed; reconnecting", {
      url: target,
      delayMs,
      attempt: this.attempt,
      error: this.lastError?.message,
      code: this.lastError?.code,
    });
    this.timer = setTimeout(() => void this.connectOnce(), delayMs);
  }

  private adopt(connection: ChannelModel): void {
    const connected: Connected = { connection, generation: ++this.generation };
    this.current = connected;
    this.lastError = undefined;
    connection.on("error", (error: unknown) => {
      this.lastError = classifyRabbitMqError(error, this.secrets);
      this.log("warn", "connection error", { error: this.lastError.message, code: this.lastError.code });
    });
    connection.on("blocked", (reason: unknown) => this.log("warn", "broker blocked publishing", { reason }));
    connection.on("unblocked", () => this.log("info", "broker unblocked publishing"));
    connection.on("close", () => this.lost(connected));
    for (const waiter of [...this.waiters]) waiter.resolve(connected);
    for (const listener of [...this.upListeners]) listener(connected);
  }

  private lost(connected: Connected): void {
    if (this.current !== connected) return;
    this.current = undefined;
    for (const listener of [...this.downListeners]) listener(connected.generation);
    if (this.closed) return;
    if (this.options.connection !== undefined) {
      this.lastError = rabbitError(
        "the provided connection was lost (no url to reconnect)",
        "CONNECTION",
        false,
      );
      for (const waiter of [...this.waiters]) waiter.reject(this.lastError);
      return;
    }
    this.lastError ??= rabbitError("connection lost", "CONNECTION", true);
    this.scheduleReconnect(redactUrl(this.options.url!));
  }
}
