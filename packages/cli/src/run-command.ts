import { claimCheckFromEnv } from "@asya/claim-check";
import { PAUSE_ACTOR, RESUME_ACTOR, SINK_ACTOR, SUMP_ACTOR } from "@asya/envelope";
import {
  type Actor as ActorHandle,
  type CrewOptions,
  createActor,
  createHttpCallbackStore,
  createJsonLogger,
  createJsonlFileStore,
  createSinkActor,
  createStdoutStore,
  createSumpActor,
  type Handler,
  type ResultStore,
  RuntimeConfigError,
} from "@asya/runtime";
import { createFanInActor, createPauseActor, createResumeActor } from "@asya/runtime/crew";
import { createSocketHandler, waitForRuntime, watchRuntime } from "@asya/runtime/remote";
import { type StateStore, stateStoreFromEnv } from "@asya/state";
import type { Transport } from "@asya/transport";
import type { CliIo } from "./cli-io.js";
import { configFromEnv, type RuntimeConfig } from "./config/config-from-env.js";
import {
  dedupeTtlFromEnv,
  fanInTimingsFromEnv,
  pauseMetadataFromEnv,
  resumeMergeModeFromEnv,
} from "./config/crew-env.js";
import { fail, get, positiveDuration } from "./config/env-values.js";
import { loadHandler } from "./config/load-handler.js";
import { loadTransport } from "./config/load-transport.js";

/** Options of {@link runActorFromEnv}. */
export interface RunOptions {
  /** Run a crew actor instead of a handler: `x-sink`, `x-sump`, `x-pause`, `x-resume`, `fan-in` (else `ASYA_CREW`). */
  readonly crew?: string;
  /** Overrides `ASYA_HANDLER`. */
  readonly handler?: string;
  /** Overrides `ASYA_ACTOR_NAME`. */
  readonly name?: string;
  /** Use this transport instead of creating one from the environment. */
  readonly transport?: Transport;
}

type CommonOptions = CrewOptions & { readonly transport: Transport };

/**
 * The crew actors `asya run --crew <name>` starts: one entry each, built from the public runtime
 * API like any crew actor of your own. `name` is the default; `configured` the name in effect.
 */
const CREW_ACTORS: ReadonlyArray<{
  readonly name: string;
  readonly configured: (config: RuntimeConfig) => string;
  readonly create: (
    common: CommonOptions,
    config: RuntimeConfig,
    io: CliIo,
  ) => ActorHandle | Promise<ActorHandle>;
}> = [
  {
    name: SINK_ACTOR,
    configured: (config) => config.sinkActor,
    create: (common, config, io) => {
      const store: ResultStore =
        config.sinkStore === "file"
          ? createJsonlFileStore(config.sinkFile)
          : config.sinkStore === "http" && config.sinkUrl !== undefined
            ? createHttpCallbackStore(config.sinkUrl)
            : createStdoutStore((line) => io.stdout.write(line));
      return createSinkActor({
        ...common,
        name: config.sinkActor,
        sump: config.sumpActor,
        store,
        gateway: config.gateway,
      });
    },
  },
  {
    name: SUMP_ACTOR,
    configured: (config) => config.sumpActor,
    create: (common, config) =>
      createSumpActor({ ...common, name: config.sumpActor, store: createJsonlFileStore(config.sumpFile) }),
  },
  {
    name: PAUSE_ACTOR,
    configured: () => PAUSE_ACTOR,
    create: async (common, config, io) =>
      createPauseActor({
        ...common,
        store: await openStateStore(io),
        gateway: config.gateway,
        ...(pauseMetadataFromEnv(io.env) === undefined ? {} : { metadata: pauseMetadataFromEnv(io.env) }),
      }),
  },
  {
    // The aggregator's name is the actor's own (ASYA_ACTOR_NAME): frames name it in x-asya-fan-in.
    name: "fan-in",
    configured: () => "fan-in",
    create: async (common, config, io) => {
      if (config.actorName === undefined)
        fail("ASYA_ACTOR_NAME", "required for --crew fan-in (the aggregator's name)");
      return createFanInActor({
        ...common,
        name: config.actorName as string,
        store: await openStateStore(io),
        ...fanInTimingsFromEnv(io.env),
      });
    },
  },
  {
    name: RESUME_ACTOR,
    configured: () => RESUME_ACTOR,
    create: async (common, _config, io) =>
      createResumeActor({
        ...common,
        store: await openStateStore(io),
        mergeMode: resumeMergeModeFromEnv(io.env),
      }),
  },
];

/** State stores opened for crew actors, closed when `asya run` ends. */
const openStores: StateStore[] = [];
/** What else the process closes on the way out (the claim-check store's connections). */
const closers: Array<() => Promise<void>> = [];
async function openStateStore(io: CliIo): Promise<StateStore> {
  const store = await stateStoreFromEnv(io.env);
  openStores.push(store);
  return store;
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
  const claimCheck = await claimCheckFromEnv(io.env);
  if (claimCheck !== undefined) closers.push(() => claimCheck.close());
  const common: CommonOptions = {
    transport,
    ...(claimCheck === undefined ? {} : { claimCheck }),
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
  let remoteRuntime: { readonly sockets: readonly string[]; readonly busy: () => boolean } | undefined;
  // --crew wins over ASYA_CREW (what the manifests set for a crew AsyncActor).
  const crewName = options.crew ?? get(io.env, "ASYA_CREW");
  if (crewName !== undefined) {
    const crew = CREW_ACTORS.find(
      (entry) => crewName === entry.name || crewName === entry.configured(config),
    );
    if (crew === undefined) {
      const names = CREW_ACTORS.map((entry) => entry.configured(config)).join(", ");
      throw new RuntimeConfigError(
        `${options.crew === undefined ? "ASYA_CREW" : "--crew"} must be one of ${names}`,
        {
          code: "INVALID_CONFIG",
          field: options.crew === undefined ? "ASYA_CREW" : "--crew",
        },
      );
    }
    actor = await crew.create(common, config, io);
  } else {
    const name = options.name ?? config.actorName;
    const spec = options.handler ?? config.handler;
    const socket = get(io.env, "ASYA_HANDLER_SOCKET");
    if (socket !== undefined && spec !== undefined) {
      fail(
        "ASYA_HANDLER_SOCKET",
        "set either ASYA_HANDLER (a handler in this process) or ASYA_HANDLER_SOCKET, not both",
      );
    }
    if (name === undefined) {
      throw new RuntimeConfigError("ASYA_ACTOR_NAME: required", {
        code: "INVALID_CONFIG",
        field: "ASYA_ACTOR_NAME",
      });
    }
    if (spec === undefined && socket === undefined) {
      throw new RuntimeConfigError(
        "ASYA_HANDLER: required (or ASYA_HANDLER_SOCKET for a handler in another process)",
        {
          code: "INVALID_CONFIG",
          field: "ASYA_HANDLER",
        },
      );
    }
    let handler: Handler<never>;
    if (socket !== undefined) {
      // Several runtime processes behind one actor: comma-separated sockets, the least busy called.
      const sockets = socket
        .split(",")
        .map((path) => path.trim())
        .filter((path) => path !== "");
      const remote = createSocketHandler({ socketPath: sockets });
      handler = remote as Handler<never>;
      // The actor may start before its runtime processes: consume only once they are all ready.
      const waiting = new AbortController();
      void io.shutdownSignal?.then(() => waiting.abort(new Error("stopped")));
      const ready = await Promise.all(
        sockets.map((path) =>
          waitForRuntime(path, {
            signal: waiting.signal,
            onWaiting: () =>
              logger.info("waiting for the handler runtime (runtime-ready and /healthz)", { socket: path }),
          }),
        ),
      ).then(
        () => true,
        () => false,
      );
      if (!ready) {
        if (options.transport === undefined) await transport.close();
        return 0;
      }
      logger.info("handler runtime ready", { sockets });
      remoteRuntime = { sockets, busy: () => remote.inFlight() > 0 };
    } else {
      handler = await loadHandler(spec as string);
    }
    const dedupeTtlMs = dedupeTtlFromEnv(io.env);
    actor = createActor({
      ...(dedupeTtlMs === undefined
        ? {}
        : { dedupe: { store: await openStateStore(io), ttlMs: dedupeTtlMs } }),
      ...common,
      name,
      ...actorLimits,
      handler,
      resiliency: config.resiliency,
      sink: config.sinkActor,
      gateway: config.gateway,
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
    // A runtime process that stops answering makes this process exit non-zero (the pod restarts).
    let lost: (() => void) | undefined;
    const runtimeLost = new Promise<"lost">((resolve) => {
      lost = () => resolve("lost");
    });
    const graceMs = remoteRuntime === undefined ? 0 : runtimeGraceMs(io.env);
    const watches = (remoteRuntime?.sockets ?? []).map((path) =>
      watchRuntime(path, {
        busy: (remoteRuntime as { busy: () => boolean }).busy,
        graceMs,
        intervalMs: Math.min(5_000, Math.max(100, graceMs / 3)),
        onLost: () => lost?.(),
      }),
    );
    const why = await Promise.race([shutdown.then(() => "stop" as const), runtimeLost]);
    for (const watch of watches) watch.stop();
    if (why === "lost") {
      logger.error("the handler runtime stopped answering /healthz; exiting", {
        sockets: remoteRuntime?.sockets,
      });
      await actor.stop({ graceMs: config.shutdownGraceMs });
      return 1;
    }
    await actor.stop({ graceMs: config.shutdownGraceMs });
  } finally {
    clearInterval(keepAlive);
    if (options.transport === undefined) await transport.close();
    for (const store of openStores.splice(0)) await store.close().catch(() => undefined);
    for (const close of closers.splice(0)) await close().catch(() => undefined);
  }
  return 0;
}

/** `ASYA_HANDLER_SOCKET_GRACE`: how long the runtime process may not answer /healthz. @default 30s */
function runtimeGraceMs(env: CliIo["env"]): number {
  return positiveDuration(env, "ASYA_HANDLER_SOCKET_GRACE", "30s") as number;
}
