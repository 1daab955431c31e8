// @asya/flow/cli: `asya flow compile|graph|run` (the asya bin imports it on demand).
export { FLOW_USAGE, type FlowCliIo, runFlowCli, terminalAsk } from "./flow-cli.js";
