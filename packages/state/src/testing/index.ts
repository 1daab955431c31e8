// The StateStore conformance suite, run against every backend (like @asya/transport/testing).
export { describeStateStoreConformance } from "./describe-state-store-conformance.js";
export type { StateStoreConformanceOptions } from "./harness.js";
