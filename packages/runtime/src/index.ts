export { type Actor, type ActorOptions, createActor, type PayloadSchema } from "./actor.js";
export { computeBackoffMs } from "./backoff.js";
export type { CliIo } from "./cli/cli-io.js";
export { type ReplayCommandOptions, replayFromFile } from "./cli/replay-command.js";
export { runCli, USAGE } from "./cli/run-cli.js";
export { type RunOptions, runActorFromEnv } from "./cli/run-command.js";
export { type SendOptions, sendEnvelopes } from "./cli/send-command.js";
export { type TailOptions, tailSink } from "./cli/sink-tail.js";
export {
  configFromEnv,
  type Env,
  type RuntimeConfig,
  type SinkStoreKind,
  type TransportConfig,
} from "./config/config-from-env.js";
export { type Duration, durationSchema, parseDuration } from "./config/duration.js";
export { type LoadTransportOptions, loadTransport, type ModuleImporter } from "./config/load-transport.js";
export {
  type BackoffKind,
  DEFAULT_ACTOR_TIMEOUT_MS,
  DEFAULT_INITIAL_DELAY_MS,
  type ResiliencyConfig,
  type ResiliencyInput,
  type ResiliencyRule,
  type RetryPolicy,
  type RetryPolicyInput,
  resiliencyInputSchema,
  resolveResiliency,
} from "./config/resiliency-config.js";
export type { CrewOptions } from "./crew/crew-actor.js";
export { findInJsonl, type ReplayOptions, replayEnvelope } from "./crew/replay.js";
export {
  createHttpCallbackStore,
  createJsonlFileStore,
  createMemoryStore,
  createStdoutStore,
  type HttpCallbackOptions,
  type MemoryResultStore,
  type ResultStore,
} from "./crew/result-store.js";
export { createSinkActor, type SinkActorOptions } from "./crew/sink-actor.js";
export { createSumpActor, type SumpActor, type SumpActorOptions } from "./crew/sump-actor.js";
export { toStatusError } from "./error-info.js";
export {
  HandlerProtocolError,
  PathNotFoundError,
  type PayloadIssue,
  PayloadValidationError,
  RuntimeConfigError,
  type RuntimeErrorCode,
  type RuntimeErrorOptions,
  ShutdownError,
  TimeoutError,
} from "./errors.js";
export type {
  ControlCommand,
  Handler,
  HandlerContext,
  HandlerOutput,
  HandlerRoute,
} from "./handler-types.js";
export {
  type ActorHandle,
  type ActorHealth,
  type ActorState,
  DEFAULT_GRACE_MS,
  type StopOptions,
} from "./internal/actor-host.js";
export { EMULATED_DELAY_HOP_MS, NOT_BEFORE_ATTRIBUTE } from "./internal/delayed-publish.js";
export { MIN_SLA_REMAINING_MS } from "./internal/message-path/admit.js";
export type { RawBodyPayload } from "./internal/raw-body.js";
export { loadHandler } from "./load-handler.js";
export type { ActorMetrics, MessageOutcome } from "./observability/actor-metrics.js";
export { type HealthServer, type HealthSource, startHealthServer } from "./observability/health-server.js";
export {
  createJsonLogger,
  type JsonLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
  silentLogger,
} from "./observability/logger.js";
export {
  createMetricsRegistry,
  type Labels,
  type MetricsRegistry,
} from "./observability/metrics-registry.js";
export { errorMatches, selectPolicy } from "./rule-matcher.js";
