// FLOW.md's example: classify, branch on confidence, loop, fan out over chunks, try/catch/finally.
import { flow } from "@asya/flow";
import { classify, type Doc, enrich, enrichChunk, notify, review, store } from "./handlers.js";

export const triage = flow(async function triage(p: Doc): Promise<Doc> {
  p = await classify(p);
  p.seen = (p.seen ?? 0) + 1; // mutation: fused into the next router
  if ((p.confidence ?? 0) > 0.8) {
    p = await store(p);
  } else if ((p.confidence ?? 0) > 0.4) {
    p = await review(p);
  } else {
    return p; // early return: the route ends at x-sink
  }
  while (p.needsMore && (p.seen ?? 0) < 5) {
    p = await enrich(p);
    if (p.done) break;
  }
  p.parts = await Promise.all((p.chunks ?? []).map((c) => enrichChunk(c))); // fan-out + fan-in
  try {
    p = await notify(p);
  } catch {
    p.notified = false; // the catch path: generated resiliency rules route here
  } finally {
    p = await store(p);
  }
  return p;
});
