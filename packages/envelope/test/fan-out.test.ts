import { advanceRoute, fanOut, fanOutChild, rewriteNext, validateEnvelope } from "@asya/envelope";
import { describe, expect, it } from "vitest";
import { wire } from "./helpers.js";

const parent = validateEnvelope(wire({ id: "env-7f3a", headers: { trace: "t" }, extra: 1 }));

describe("fanOut", () => {
  it("child 0 keeps the id; child i gets <id>-<i> and parent_id", () => {
    const children = fanOut(parent, [{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(children.map((c) => c.id)).toEqual(["env-7f3a", "env-7f3a-1", "env-7f3a-2"]);
    expect(children.map((c) => c.parent_id)).toEqual([undefined, "env-7f3a", "env-7f3a"]);
    expect("parent_id" in (children[0] as object)).toBe(false);
    expect(children.map((c) => c.payload)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    for (const child of children) {
      expect(child.route).toEqual(parent.route);
      expect(child.headers).toEqual(parent.headers);
      expect(child.extra).toBe(1);
    }
  });

  it("is deterministic, so a redelivered parent re-emits the same ids", () => {
    expect(fanOut(parent, [1, 2, 3])).toEqual(fanOut(parent, [1, 2, 3]));
  });

  it("child 0 keeps an existing parent_id", () => {
    const child = validateEnvelope(wire({ id: "a-1", parent_id: "a" }));
    expect(fanOut(child, [1, 2]).map((c) => [c.id, c.parent_id])).toEqual([
      ["a-1", "a"],
      ["a-1-1", "a-1"],
    ]);
  });

  it("returns no envelope for no payload", () => {
    expect(fanOut(parent, [])).toEqual([]);
  });

  it("children do not share mutable route or headers", () => {
    const [a, b] = fanOut(parent, [1, 2]);
    a?.route.next.push("x");
    (a?.headers as Record<string, unknown>).trace = "changed";
    expect(b?.route.next).toEqual(["post", "store"]);
    expect(b?.headers?.trace).toBe("t");
    expect(parent.route.next).toEqual(["post", "store"]);
  });

  it("each child can be routed by next as it stood when emitted", () => {
    const first = advanceRoute(fanOutChild(parent, "a", 0));
    const second = advanceRoute(rewriteNext(fanOutChild(parent, "b", 1), ["audit"]));
    expect(first.route.curr).toBe("post");
    expect(second.route.curr).toBe("audit");
    expect(second.id).toBe("env-7f3a-1");
  });
});
