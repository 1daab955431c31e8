// A loop with break and continue: enrich on odd rounds until the document is done.
import { flow } from "@asya/flow";
import { type Doc, enrich, review } from "./handlers.js";

export interface Rounds extends Doc {
  round: number;
}

export const refine = flow(async function refine(p: Rounds): Promise<Rounds> {
  p.round = 0;
  while (true) {
    p.round += 1;
    if (p.round > 6) break; // the way out of while (true)
    if (p.round % 2 === 0) continue; // back to the loop's router, skipping the rest of the body
    p = await enrich(p);
    if (p.done) {
      break;
    }
  }
  while ((p.tags ?? []).length < 2) {
    p = await enrich(p);
  }
  p = await review(p);
  return p;
});
