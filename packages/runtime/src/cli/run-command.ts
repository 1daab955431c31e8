import type { Transport } from "@asya/transport";
import { createActor } from "../actor.js";
import { configFromEnv } from "../config/config-from-env.js";
import { loadTransport } from "../config/load-transport.js";
import {
  createHttpCallbackStore,
  createJsonlFileStore,
  createStdoutStore,
  type ResultStore,
} from "../crew/result-store.js";
import { createSinkActor } from "../crew/sink-actor.js";
import { createSumpActor } from "../crew/sump-actor.js";
import { RuntimeConfigError } from "../errors.js";
import type { ActorHandle } from "../internal/actor-host.js";
import { loadHandler } from "../load-handler.js";
import { createJsonLogger } from "../observability/logger.js";
import type { CliIo } from "./cli-io.js";

/** Options of {@link runActorFromEnv}. */
export interface RunOptions {
  /** Run a crew actor instead of a handler: `x-sink` or `x-sump`. */
  readonly crew?: string;
  /** Overrides `ASYA_HANDLER`. */
  readonly handler?: string;
  /** Overrides `ASYA_ACTOR_NAME`. */
  readonly name?: string;
  /** Use this transport instead of creating one from the environment. */
  readonly transport?: Transport;
}

/**
 * `asya run`: one actor (or crew actor) configured from the environment; on `io.shutdownSignal`
 * it drains within `ASYA_SHUTDOWN_GRACE` and resolves with exit code 0.
 *
 * @throws RuntimeConfigError for invalid configuration (naming the variable).
 */
export async function runActorFromEnv(io: CliIo, options: RunOptions = {}): Promise<number> {
  const config = configFromEnv(io.env);
  const logger = createJsonLogger({ level: config.logLevel, write: (line) => io.stderr.write(`${line}\n`) });
  const transport = options.transport ?? (await loadTransport(config.transport, { logger }));
  if (options.transport === undefined && config.transport.kind === "memory") {
    logger.warn("ASYA_TRANSPORT is memory: this process sees only its own in-process queues");
  }
  const common = {
    transport,
    ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
    concurrency: config.concurrency,
    logger,
    ...(config.healthPort === undefined ? {} : { healthPort: config.healthPort }),
    healthHost: config.healthHost,
    metricsEnabled: config.metricsEnabled,
  };
  // Crew actors take any size: a ParseError envelope wrapping a body just under the actors' limit
  // is itself larger than that limit, and the crew must store it, not wrap it again.
  const actorLimits = { maxMessageBytes: config.maxMessageBytes };
  let actor: ActorHandle;
  if (options.crew === config.sinkActor || options.crew === "x-sink") {
    const store: ResultStore =
      config.sinkStore === "file"
        ? createJsonlFileStore(config.sinkFile)
        : config.sinkStore === "http" && config.sinkUrl !== undefined
          ? createHttpCallbackStore(config.sinkUrl)
          : createStdoutStore((line) => io.stdout.write(line));
    actor = createSinkActor({ ...common, name: config.sinkActor, sump: config.sumpActor, store });
  } else if (options.crew === config.sumpActor || options.crew === "x-sump") {
    actor = createSumpActor({
      ...common,
      name: config.sumpActor,
      store: createJsonlFileStore(config.sumpFile),
    });
  } else if (options.crew !== undefined) {
    throw new RuntimeConfigError(`--crew must be ${config.sinkActor} or ${config.sumpActor}`, {
      code: "INVALID_CONFIG",
      field: "--crew",
    });
  } else {
    const name = options.name ?? config.actorName;
    const spec = options.handler ?? config.handler;
    if (name === undefined) {
      throw new RuntimeConfigError("ASYA_ACTOR_NAME: required", {
        code: "INVALID_CONFIG",
        field: "ASYA_ACTOR_NAME",
      });
    }
    if (spec === undefined) {
      throw new RuntimeConfigError("ASYA_HANDLER: required", {
        code: "INVALID_CONFIG",
        field: "ASYA_HANDLER",
      });
    }
    const handler = await loadHandler(spec);
    actor = createActor({
      ...common,
      name,
      ...actorLimits,
      handler,
      resiliency: config.resiliency,
      sink: config.sinkActor,
    });
  }
  // An actor runs until it is told to stop, even when nothing else holds the event loop open (no
  // health server, memory transport): without this Node would exit 13 on the pending await.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  const shutdown = io.shutdownSignal ?? new Promise<never>(() => undefined);
  try {
    // SIGTERM while still connecting (a broker that is down or misspelt) stops at once.
    const starting = actor.start();
    const first = await Promise.race([
      starting.then(() => "started" as const),
      shutdown.then(() => "stop" as const),
    ]);
    if (first === "stop") {
      if (options.transport === undefined) await transport.close();
      await starting.catch(() => undefined); // fails with CLOSED once the transport is closed
      return 0;
    }
    await shutdown;
    await actor.stop({ graceMs: config.shutdownGraceMs });
  } finally {
    clearInterval(keepAlive);
    if (options.transport === undefined) await transport.close();
  }
  return 0;
}
