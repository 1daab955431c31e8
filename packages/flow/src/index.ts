// @asya/flow: what a flow file imports. The compiler is @asya/flow/compiler, the local runner
// @asya/flow/run, and the TypeScript loader @asya/flow/register.
export { type FlowOptions, flow } from "./flow-marker.js";
export {
  type PauseField,
  type PauseRequest,
  type PauseResponder,
  pause,
  setPauseResponder,
} from "./pause.js";
