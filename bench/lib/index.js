// Shared helpers of the bench scripts (plain ESM, no build step).
import "./warnings.js";

export { flag, listArg, numberArg, stringArg } from "./args.js";
export { effectiveRounds, interleave, waitUntil } from "./interleave.js";
export { machineFacts, machineLine } from "./machine.js";
export { startRabbitMqNode } from "./rabbitmq-node.js";
export { footer, heading } from "./report.js";
export { peakRssOf, processPeakRss, startRssSampler, trackRss } from "./rss.js";
export { freePort, PUBSUB_EMULATOR_BIN, startMoto, startPubSubEmulator } from "./services.js";
export { callSummary, countingSqs } from "./sqs-calls.js";
export { untilFinal } from "./sse.js";
export { fmtInt, fmtMiB, fmtMs, fmtNum, median, middleOfRounds, percentile, ratio } from "./stats.js";
export { markdownTable } from "./table.js";
