// try / catch / finally: a failing notify takes the catch path; store runs on both paths.
import { flow } from "@asya/flow";
import { type Doc, notify, review, store } from "./handlers.js";

export const deliver = flow(async function deliver(p: Doc): Promise<Doc> {
  try {
    p = await review(p);
    p = await notify(p); // throws when p.fail: maxAttempts 1, then the catch router
    p.tags = [...(p.tags ?? []), "delivered"];
  } catch {
    p.notified = false;
    p.tags = [...(p.tags ?? []), "caught"];
  } finally {
    p = await store(p); // on both paths
  }
  if (!p.notified) {
    p.fail = false;
    try {
      p = await notify(p); // a second try: notify gets another actor, with its own rules
    } finally {
      p.tags = [...(p.tags ?? []), "retried"];
    }
  }
  return p;
});
