// @asya/flow/compiler: TypeScript flows -> routers, graph and manifests (FLOW.md).

export { FlowCompileError, type FlowDiagnostic, formatDiagnostic } from "./compile-error.js";
export {
  type CompiledFlow,
  type CompiledFlows,
  type CompileFlowOptions,
  compileFlowFile,
  writeCompiledFlows,
} from "./compile-flow.js";
export type { FlowActor, FlowResiliency, FlowRole } from "./deploy-units.js";
export type { FlowGraph, FlowGraphEdge, FlowGraphNode } from "./emit-graph.js";
export { type FlowDeployConfig, resiliencyFor } from "./emit-manifests.js";
export { LOOPS_HEADER, routerExport } from "./emit-routers.js";
export type { HandlerRef, SourceLocation } from "./ir.js";
