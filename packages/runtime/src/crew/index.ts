// @asya/runtime/crew: the stateful crew actors (pause, resume, fan-in) and the handler helpers that
// route to them. x-sink and x-sump are in the main entry point.
export { type Checkpoint, createPauseActor, type PauseActorOptions } from "./pause-actor.js";
export { createResumeActor, type ResumeActorOptions, resumedEnvelope } from "./resume-actor.js";
export { type PauseRequest, pauseNext } from "./handler-helpers.js";
