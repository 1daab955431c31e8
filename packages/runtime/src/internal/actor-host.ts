import { setMaxListeners } from "node:events";
import type { ReceivedMessage, Subscription, Transport } from "@asya/transport";
import { RuntimeConfigError } from "../errors.js";
import type { ActorMetrics } from "../observability/actor-metrics.js";
import { type HealthServer, startHealthServer } from "../observability/health-server.js";
import type { Logger } from "../observability/logger.js";
import type { MetricsRegistry } from "../observability/metrics-registry.js";
import type { MessageProcessor } from "./message-path/message-path.js";

/** Lifecycle state of an actor. */
export type ActorState = "idle" | "starting" | "running" | "stopping" | "stopped";

/** A snapshot of an actor's health. */
export interface ActorHealth {
  readonly actor: string;
  readonly queue: string;
  readonly state: ActorState;
  /** Started and the transport reports it is connected. */
  readonly ready: boolean;
  readonly transportReady: boolean;
  readonly inFlight: number;
  /** Port of the health server, when one runs. */
  readonly healthPort: number | undefined;
}

/** Options of {@link ActorHandle.stop}. */
export interface StopOptions {
  /** How long in-flight calls may run before they are aborted (and left for redelivery). @default 30000 */
  readonly graceMs?: number;
}

/** A running (or runnable) actor. */
export interface ActorHandle {
  /** Start consuming (and the health server, when configured). */
  start(): Promise<void>;
  /** Stop consuming, drain in-flight calls within the grace period, abort the rest. Idempotent. */
  stop(options?: StopOptions): Promise<void>;
  health(): ActorHealth;
}

/** Inputs of {@link createActorHost}. */
export interface HostOptions {
  readonly actor: string;
  readonly queue: string;
  readonly transport: Transport;
  readonly concurrency: number;
  readonly maxProcessingMs: number;
  readonly logger: Logger;
  readonly metrics: ActorMetrics;
  readonly registry: MetricsRegistry;
  readonly metricsEnabled: boolean;
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  readonly shutdown: AbortController;
  readonly process: MessageProcessor;
}

/** Default grace period of `stop()`. */
export const DEFAULT_GRACE_MS = 30_000;

/** Runs a processor on a queue: consume, concurrency, graceful stop, health. */
export function createActorHost(options: HostOptions): ActorHandle {
  const { transport, logger } = options;
  // Every in-flight handler call listens on the shared shutdown signal (one listener per call, removed
  // when it ends): not a leak, so lift Node's 10-listener warning for concurrency > 10.
  setMaxListeners(0, options.shutdown.signal);
  let state: ActorState = "idle";
  let subscription: Subscription | undefined;
  let server: HealthServer | undefined;
  let inFlight = 0;
  let stopping: Promise<void> | undefined;

  const handle = async (message: ReceivedMessage) => {
    inFlight += 1;
    try {
      return await options.process(message);
    } finally {
      inFlight -= 1;
    }
  };

  const health = (): ActorHealth => {
    const transportReady = transport.isReady();
    return {
      actor: options.actor,
      queue: options.queue,
      state,
      ready: state === "running" && transportReady,
      transportReady,
      inFlight,
      healthPort: server?.port,
    };
  };

  return {
    async start() {
      if (state !== "idle") {
        throw new RuntimeConfigError(`actor ${options.actor} was already started`, {
          code: "ALREADY_STARTED",
        });
      }
      state = "starting";
      try {
        if (options.healthPort !== undefined) {
          server = await startHealthServer(
            {
              live: () => state !== "stopped",
              ready: () => health().ready,
              metrics: async () => {
                if (!options.metricsEnabled) return undefined;
                const depth = await Promise.resolve(transport.depth?.(options.queue)).catch(() => undefined);
                if (depth !== undefined) {
                  const labels = { actor: options.actor, queue: options.queue };
                  options.registry.set(
                    "asya_queue_depth",
                    "Messages waiting on the actor's queue",
                    labels,
                    depth,
                  );
                }
                return options.registry.render();
              },
            },
            options.healthPort,
            options.healthHost,
          );
        }
        // Queue creation is the transport's one setting (`autoCreate` / ASYA_QUEUE_AUTO_CREATE): an
        // actor with it off needs only receive/send permissions, so the runtime creates nothing.
        subscription = await transport.consume(options.queue, handle, {
          concurrency: options.concurrency,
          maxProcessingMs: options.maxProcessingMs,
          onError: (error) => logger.error("transport error", { err: error }),
        });
      } catch (error) {
        state = "stopped";
        await server?.close();
        throw error;
      }
      state = "running";
      logger.info("actor started", { queue: options.queue, concurrency: options.concurrency });
    },
    stop(stopOptions = {}) {
      stopping ??= (async () => {
        const previous = state;
        state = "stopping";
        if (previous === "running" && subscription !== undefined) {
          const graceMs = stopOptions.graceMs ?? DEFAULT_GRACE_MS;
          logger.info("actor stopping", { in_flight: inFlight, grace_ms: graceMs });
          const timer = setTimeout(() => {
            if (inFlight > 0)
              logger.warn("grace period over; aborting in-flight calls", { in_flight: inFlight });
            options.shutdown.abort();
          }, graceMs);
          try {
            await subscription.stop();
          } finally {
            clearTimeout(timer);
          }
        }
        options.shutdown.abort();
        await server?.close();
        state = "stopped";
        logger.info("actor stopped");
      })();
      return stopping;
    },
    health,
  };
}
