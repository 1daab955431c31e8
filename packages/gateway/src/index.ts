// The mesh's front door (GATEWAY.md sections 1-4): the mesh API, MCP at /mcp and A2A at /a2a; embed
// with createGateway, or run `asya gateway`.
export { createGateway, type Gateway } from "./create-gateway.js";
export { GatewayError, type GatewayErrorCode } from "./gateway-error.js";
export type { GatewayLogger, GatewayOptions } from "./gateway-options.js";
export type { ApiErrorCode } from "./http/json-error.js";
export {
  type AgentSkillEntry,
  defineTool,
  parseRegistry,
  type RegisteredAgent,
  type RegisteredTool,
  type Registry,
  type RegistryFile,
  registrySchema,
  type ToolDefinition,
  toolRoute,
  watchRegistryFile,
} from "./registry.js";
export { createMemoryTaskStore } from "./store/memory-store.js";
export {
  createPostgresTaskStore,
  type PostgresStoreLogger,
  type PostgresTaskStoreOptions,
  postgresTaskStoreOptionsSchema,
} from "./store/postgres-store.js";
export {
  FLY_EVENTS_KEPT,
  type ListOptions,
  type NewTask,
  type ReportOutcome,
  type TaskEvent,
  type TaskStore,
} from "./store/task-store.js";
export { isTaskStatus, isTerminal, type Task, type TaskData, type TaskStatus } from "./task.js";
