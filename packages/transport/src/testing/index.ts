export { describeTransport } from "./describe-transport.js";
export type { ConformanceContext, DescribeTransportOptions, RecordedDelivery } from "./harness.js";
export { eventually, Recorder } from "./harness.js";
