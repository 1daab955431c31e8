// @asya/runtime/crew: the stateful crew actors (pause, resume, fan-in) and the handler helpers that
// route to them. x-sink and x-sump are in the main entry point.

export { PAUSE_KEYS } from "./crew-state.js";
export { createFanInActor, type FanInActorOptions } from "./fan-in-actor.js";
export { type FanInHeader, fanInHeaderSchema, MAX_FAN_IN_SLICES, readFanInHeader } from "./fan-in-frame.js";
export { type FanOutJoinOptions, fanOutJoin } from "./fan-out-join.js";
export { type PauseRequest, pauseNext } from "./handler-helpers.js";
export { type Checkpoint, createPauseActor, type PauseActorOptions } from "./pause-actor.js";
export { createResumeActor, type ResumeActorOptions, resumedEnvelope } from "./resume-actor.js";
