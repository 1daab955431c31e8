import type { TaskCreator } from "./create-task.js";
import type { EventHub } from "./event-hub.js";
import type { ResolvedGatewayOptions } from "./gateway-options.js";
import type { TaskResumer } from "./resume-task.js";
import type { TaskStore } from "./store/task-store.js";

/** What the MCP and A2A front doors share with the mesh API. */
export interface FrontDoorDeps {
  readonly options: ResolvedGatewayOptions;
  readonly store: TaskStore;
  readonly hub: EventHub;
  readonly tasks: TaskCreator;
  readonly resumer: TaskResumer;
  /** Server name and version shown to MCP clients and on the agent card. */
  readonly name: string;
  readonly version: string;
}
