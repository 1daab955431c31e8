// Fan-out and fan-in: every chunk through enrichChunk in parallel, and two handlers over the state.
import { flow } from "@asya/flow";
import { type Chunk, classify, type Doc, enrich, enrichChunk, review } from "./handlers.js";

export interface Report extends Doc {
  views?: Doc[];
  words?: number;
}

export const digest = flow(async function digest(p: Report): Promise<Report> {
  p = await classify(p);
  p.parts = await Promise.all((p.chunks ?? []).map((chunk) => enrichChunk(chunk)));
  p.words = (p.parts ?? []).reduce((sum: number, part: Chunk) => sum + part.words, 0);
  p.views = await Promise.all([enrich(p), review(p)]); // one slice per call, each a copy of the state
  return p;
});
