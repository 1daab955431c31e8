// @asya/flow/run: run a compiled flow in this process on the memory transport (asya flow run).
export {
  type FlowHop,
  FlowRunError,
  type FlowRunResult,
  type PauseAnswers,
  type RunFlowOptions,
  runFlow,
} from "./run-flow.js";
