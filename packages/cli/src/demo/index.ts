export {
  approve,
  type ChunkSummary,
  chunk,
  DIGEST_AGGREGATOR,
  type DigestInput,
  enrichChunk,
  publish,
} from "./digest-handlers.js";
export {
  clean,
  type DocInput,
  demoResiliency,
  enrich,
  type Judged,
  judge,
  ModelRefusalError,
  review,
  type Sentence,
  ServiceUnavailableError,
  splitSentences,
  TransientError,
  ValidationError,
} from "./handlers.js";
export { DEMO_INPUTS, type DemoOptions, type DemoResult, runDemo } from "./run-demo.js";
