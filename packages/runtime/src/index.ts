// The runtime's API for embedding actors in a Node service. The `asya` command line, its env
// configuration and the demo are in @asya/cli; test helpers in @asya/runtime/testing.
export { type Actor, type ActorOptions, createActor, type PayloadSchema } from "./actor.js";
export { parseDuration } from "./config/duration.js";
export {
  type ResiliencyInput,
  type RetryPolicyInput,
  resolveResiliency,
} from "./config/resiliency-config.js";
export { type CrewConsume, type CrewOptions, createCrewActor } from "./crew/crew-actor.js";
export { findInJsonl, replayEnvelope } from "./crew/replay.js";
export {
  createHttpCallbackStore,
  createJsonlFileStore,
  createMemoryStore,
  createStdoutStore,
  type ResultStore,
} from "./crew/result-store.js";
export { createSinkActor, type SinkActorOptions } from "./crew/sink-actor.js";
export { createSumpActor, type SumpActorOptions } from "./crew/sump-actor.js";
export {
  HandlerProtocolError,
  PathNotFoundError,
  PayloadValidationError,
  RuntimeConfigError,
  ShutdownError,
  TimeoutError,
} from "./errors.js";
export type { ControlCommand, Handler, HandlerContext, HandlerRoute } from "./handler-types.js";
export type { ActorHealth, StopOptions } from "./internal/actor-host.js";
export { createJsonLogger, type Logger, type LogLevel, silentLogger } from "./observability/logger.js";
export { createMetricsRegistry, type MetricsRegistry } from "./observability/metrics-registry.js";
