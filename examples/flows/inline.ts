// A flow calling another flow: the inner one is inlined at compile time (its return continues here).
import { flow } from "@asya/flow";
import { classify, type Doc, enrich, store } from "./handlers.js";

export const prepare = flow(async function prepare(p: Doc): Promise<Doc> {
  p = await classify(p);
  if ((p.confidence ?? 0) < 0.3) return p;
  p = await enrich(p);
  return p;
});

export const pipeline = flow(async function pipeline(p: Doc): Promise<Doc> {
  p = await prepare(p);
  p = await store(p);
  return p;
});
