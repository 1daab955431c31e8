// @asya/runtime/remote: handlers in another process (SPEC section 9, Asya's runtime protocol),
// both as the sidecar (createSocketHandler) and as the runtime (createHandlerServer).

export {
  createHandlerServer,
  frameOf,
  type HandlerServer,
  type HandlerServerOptions,
} from "./handler-server.js";
export { HandlerUnavailableError, RemoteHandlerError, RemoteProtocolError } from "./remote-errors.js";
export {
  RUNTIME_READY_FILE,
  type RuntimeWatch,
  runtimeHealthy,
  waitForRuntime,
  watchRuntime,
} from "./runtime-health.js";
export { createSocketHandler, type SocketHandler, type SocketHandlerOptions } from "./socket-handler.js";
