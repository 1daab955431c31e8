export type { CliIo } from "./cli-io.js";
export {
  configFromEnv,
  type Env,
  type RuntimeConfig,
  type SinkStoreKind,
  type TransportConfig,
} from "./config/config-from-env.js";
export { loadHandler } from "./config/load-handler.js";
export { type LoadTransportOptions, loadTransport, type ModuleImporter } from "./config/load-transport.js";
export { type ReplayCommandOptions, replayFromFile } from "./replay-command.js";
export { runCli, USAGE } from "./run-cli.js";
export { type RunOptions, runActorFromEnv } from "./run-command.js";
export { type SendOptions, sendEnvelopes } from "./send-command.js";
export { type TailOptions, tailSink } from "./sink-tail.js";
