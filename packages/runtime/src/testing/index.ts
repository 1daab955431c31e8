export { createTestClock, type TestClock } from "@asya/transport";
export { createEnvelopeSpy, type EnvelopeSpy, type SpyMatch, type SpyRecord } from "./envelope-spy.js";
