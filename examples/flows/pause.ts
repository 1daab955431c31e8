// Human in the loop: the flow pauses (x-pause) until someone answers; the answer lands in the state.
import { flow, pause } from "@asya/flow";
import { type Doc, review, store } from "./handlers.js";

export interface Approval extends Doc {
  approved?: boolean;
  editor?: string;
}

export const approve = flow(async function approve(p: Approval): Promise<Approval> {
  p = await review(p);
  p = await pause(p, {
    prompt: `Publish "${p.text.slice(0, 40)}"?`,
    fields: [
      { name: "approved", type: "boolean", required: true },
      { name: "editor", type: "string" },
    ],
  });
  if (p.approved) {
    p = await store(p);
  }
  return p;
});
