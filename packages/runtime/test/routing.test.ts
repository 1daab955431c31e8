import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

describe("routing", () => {
  it("routes a returned value to the next actor and finishes at x-sink", async () => {
    const t = setup();
    await t.actor({ name: "a", handler: (p: { n: number }) => ({ n: p.n + 1 }) });
    await t.actor({ name: "b", handler: (p: { n: number }) => ({ n: p.n * 10 }) });
    const sent = await t.send({ id: "r1", route: ["a", "b"], payload: { n: 1 } });
    const done = await t.spy.waitFor(sent.id, { to: "x-sink" });
    expect(done.envelope?.payload).toEqual({ n: 20 });
    expect(done.envelope?.route).toEqual({ prev: ["a", "b"], curr: "", next: [] });
    expect(done.envelope?.status).toMatchObject({ phase: "succeeded", reason: "Completed", actor: "b" });
    const hop = await t.spy.waitFor(sent.id, { to: "b" });
    expect(hop.envelope?.status).toMatchObject({ phase: "pending", actor: "b", attempt: 1 });
  });
});

describe("handler results", () => {
  it("fans out a generator with deterministic ids, each routed by next as it stood", async () => {
    const t = setup();
    await t.actor({
      name: "split",
      *handler(payload: { items: string[] }, ctx) {
        for (const item of payload.items) {
          ctx.route.next = item === "b" ? ["special"] : ["plain"];
          yield { item };
        }
      },
    });
    await t.actor({ name: "plain", handler: (p: { item: string }) => ({ ...p, via: "plain" }) });
    await t.actor({ name: "special", handler: (p: { item: string }) => ({ ...p, via: "special" }) });
    await t.send({ id: "f1", route: ["split"], payload: { items: ["a", "b", "c"] } });
    const [a, b, c] = await Promise.all(
      ["f1", "f1-1", "f1-2"].map((id) => t.spy.waitFor(id, { to: "x-sink", phase: "succeeded" })),
    );
    expect(a?.envelope).toMatchObject({
      payload: { item: "a", via: "plain" },
      route: { prev: ["split", "plain"] },
    });
    expect(a?.envelope?.parent_id).toBeUndefined();
    expect(b?.envelope).toMatchObject({ parent_id: "f1", payload: { item: "b", via: "special" } });
    expect(c?.envelope).toMatchObject({ parent_id: "f1", payload: { via: "plain" } });
  });

  it("treats a returned array as one payload", async () => {
    const t = setup();
    await t.actor({ name: "arr", handler: () => [1, 2, 3] });
    await t.send({ id: "a1", route: ["arr"], payload: {} });
    const done = await t.spy.waitFor("a1", { to: "x-sink" });
    expect(done.envelope?.payload).toEqual([1, 2, 3]);
    expect(t.spy.records().filter((r) => r.to === "x-sink")).toHaveLength(1);
  });

  it("null/undefined ends the original envelope at x-sink, succeeded, payload unchanged", async () => {
    const t = setup();
    await t.actor({ name: "drop", handler: () => null });
    await t.actor({ name: "gen-empty", *handler() {} });
    await t.send({ id: "n1", route: ["drop", "never"], payload: { keep: 1 } });
    await t.send({ id: "n2", route: ["gen-empty"], payload: { keep: 2 } });
    const n1 = await t.spy.waitFor("n1", { to: "x-sink" });
    expect(n1.envelope).toMatchObject({
      payload: { keep: 1 },
      route: { prev: ["drop"], curr: "" },
      status: { phase: "succeeded", reason: "Completed" },
    });
    expect((await t.spy.waitFor("n2", { to: "x-sink" })).envelope?.payload).toEqual({ keep: 2 });
  });

  it("supports the GET/SET/DEL/FLY control protocol", async () => {
    const t = setup();
    const seen: unknown[] = [];
    await t.actor({
      name: "ctl",
      async *handler(payload: { n: number }) {
        seen.push(yield ["GET", ".route.prev"]);
        seen.push(yield ["GET", ".headers.trace_id"]);
        yield ["SET", ".headers.priority", "high"];
        yield ["DEL", ".headers.drop_me"];
        yield ["FLY", { partial: true }];
        yield ["SET", ".route.next", ["tail"]];
        seen.push(yield ["GET", ".route.next"]);
        yield { n: payload.n + 1 };
      },
    });
    await t.actor({ name: "tail", handler: (p: unknown, ctx) => ({ p, priority: ctx.headers.priority }) });
    await t.send({
      id: "c1",
      route: { prev: ["before"], curr: "ctl", next: ["ignored"] },
      headers: { trace_id: "t-1", drop_me: true },
      payload: { n: 1 },
    });
    const done = await t.spy.waitFor("c1", { to: "x-sink" });
    expect(seen).toEqual([["before"], "t-1", ["tail"]]);
    expect(done.envelope?.payload).toEqual({ p: { n: 2 }, priority: "high" });
    expect(done.envelope?.headers).toMatchObject({ trace_id: "t-1", priority: "high" });
    expect(done.envelope?.headers).not.toHaveProperty("drop_me");
    expect(done.envelope?.route.prev).toEqual(["before", "ctl", "tail"]);
  });

  it("refuses SET on forward-only history", async () => {
    const t = setup();
    await t.actor({
      name: "bad",
      *handler() {
        yield ["SET", ".route.prev", []];
      },
    });
    await t.send({ id: "h1", route: ["bad"], payload: {} });
    const done = await t.spy.waitFor("h1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ phase: "failed", reason: "RuntimeError" });
    expect(done.envelope?.status?.error?.type).toBe("HandlerProtocolError");
  });

  it("gives a typed ctx: read-only envelope, assignable next, headers, signal, attempt", async () => {
    const t = setup();
    let frozen = false;
    await t.actor({
      name: "typed",
      handler: (payload: { v: number }, ctx) => {
        frozen = Object.isFrozen(ctx.envelope) && Object.isFrozen(ctx.envelope.route);
        expect(ctx.signal.aborted).toBe(false);
        expect(ctx.attempt).toBe(1);
        expect(ctx.envelope.status?.phase).toBe("processing");
        ctx.route.next.push("last");
        ctx.headers.tag = "x";
        return { v: payload.v * 2 };
      },
    });
    await t.actor({ name: "last", handler: (p: unknown) => p });
    await t.send({ id: "t1", route: ["typed"], payload: { v: 2 } });
    const done = await t.spy.waitFor("t1", { to: "x-sink" });
    expect(frozen).toBe(true);
    expect(done.envelope).toMatchObject({
      payload: { v: 4 },
      headers: { tag: "x" },
      route: { prev: ["typed", "last"] },
    });
  });

  it("honours x-asya-route-override at send time and on receipt", async () => {
    const t = setup();
    await t.actor({ name: "first", handler: (p: unknown) => p });
    await t.actor({ name: "canary", handler: () => ({ by: "canary" }) });
    await t.send({
      id: "o1",
      route: ["first", "stable"],
      headers: { "x-asya-route-override": { stable: "canary" } },
      payload: {},
    });
    const done = await t.spy.waitFor("o1", { to: "x-sink" });
    expect(done.envelope).toMatchObject({ payload: { by: "canary" }, status: { phase: "succeeded" } });
    expect(t.spy.history("o1").map((r) => r.to)).toEqual(["first", "canary", "x-sink"]);
  });

  it("records each applied override in x-asya-route-resolved, keeping earlier hops' entries", async () => {
    const t = setup();
    await t.actor({ name: "prep", handler: (p: unknown) => p });
    await t.actor({ name: "model-v2", handler: (p: unknown) => p });
    await t.actor({ name: "post", handler: (p: unknown) => p });
    const earlier = { router: { target: "router-v2", by: "gateway" } };
    await t.send({
      id: "rr1",
      route: ["prep", "model", "post"],
      headers: { "x-asya-route-override": { model: "model-v2" }, "x-asya-route-resolved": earlier },
      payload: { q: 1 },
    });
    const atModel = await t.spy.waitFor("rr1", { to: "model-v2" });
    // The route keeps the logical name; only the queue changes.
    expect(atModel.envelope?.route).toMatchObject({ prev: ["prep"], curr: "model", next: ["post"] });
    expect(atModel.envelope?.headers?.["x-asya-route-resolved"]).toEqual({
      ...earlier,
      model: { target: "model-v2", by: "prep" },
    });
    const done = await t.spy.waitFor("rr1", { to: "x-sink" });
    expect(done.envelope?.route.prev).toEqual(["prep", "model", "post"]);
    // No override for post: its hop adds nothing, the trail is carried as it was.
    expect(done.envelope?.headers?.["x-asya-route-resolved"]).toEqual({
      ...earlier,
      model: { target: "model-v2", by: "prep" },
    });
  });

  it("no override, no trail; a trail sent as a JSON string is read; an unreadable one restarts", async () => {
    const t = setup();
    await t.actor({ name: "a1", handler: (p: unknown) => p });
    await t.actor({ name: "b2", handler: (p: unknown) => p });
    await t.send({ id: "n1", route: ["a1"], payload: {} });
    expect((await t.spy.waitFor("n1", { to: "x-sink" })).envelope?.headers).not.toHaveProperty(
      "x-asya-route-resolved",
    );
    for (const [id, trail, kept] of [
      ["s1", JSON.stringify({ z: { target: "z2", by: "y" } }), { z: { target: "z2", by: "y" } }],
      ["s2", "{not json", {}],
    ] as const) {
      await t.send({
        id,
        route: ["a1", "b"],
        headers: { "x-asya-route-override": '{"b":"b2"}', "x-asya-route-resolved": trail },
        payload: {},
      });
      const atB = await t.spy.waitFor(id, { to: "b2" });
      expect(atB.envelope?.headers?.["x-asya-route-resolved"]).toEqual({
        ...kept,
        b: { target: "b2", by: "a1" },
      });
    }
  });

  it("every fan-out child gets its own resolved entry", async () => {
    const t = setup();
    await t.actor({
      name: "split",
      *handler() {
        yield { part: 1 };
        yield { part: 2 };
      },
    });
    await t.actor({ name: "work-v2", handler: (p: unknown) => p });
    await t.send({
      id: "f1",
      route: ["split", "work"],
      headers: { "x-asya-route-override": { work: "work-v2" } },
      payload: {},
    });
    for (const id of ["f1", "f1-1"]) {
      const child = await t.spy.waitFor(id, { to: "work-v2" });
      expect(child.envelope?.headers?.["x-asya-route-resolved"]).toEqual({
        work: { target: "work-v2", by: "split" },
      });
    }
  });
});

describe("rejected input", () => {
  it("route mismatch ends failed without calling the handler", async () => {
    const t = setup();
    let calls = 0;
    await t.actor({ name: "me", handler: () => calls++ });
    await t.transport.publish("asya-me", {
      body: new TextEncoder().encode(
        JSON.stringify({ id: "m1", route: { prev: [], curr: "other", next: [] }, payload: { a: 1 } }),
      ),
    });
    const done = await t.spy.waitFor("m1", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: { a: 1 },
      status: { phase: "failed", reason: "RouteMismatch" },
    });
    expect(calls).toBe(0);
  });

  it("keeps an unparseable UTF-8 body as text and a non-UTF-8 body as base64", async () => {
    const t = setup();
    await t.actor({ name: "p", handler: () => ({}) });
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x41]);
    await t.transport.publish("asya-p", { body: new TextEncoder().encode("{not json") });
    await t.transport.publish("asya-p", { body: bytes });
    const sink = async (n: number) => {
      const deadline = Date.now() + 2_000;
      while (t.spy.records().filter((r) => r.to === "x-sink").length < n && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      return t.spy.records().filter((r) => r.to === "x-sink");
    };
    const [text, binary] = await sink(2);
    expect(text?.envelope?.payload).toMatchObject({ encoding: "utf8", body: "{not json" });
    expect(text?.envelope?.status).toMatchObject({ phase: "failed", reason: "ParseError", actor: "p" });
    expect(binary?.envelope?.payload).toMatchObject({ encoding: "base64" });
    const payload = binary?.envelope?.payload as { body: string };
    expect(new Uint8Array(Buffer.from(payload.body, "base64"))).toEqual(bytes);
  });

  it("validation failures (valid JSON, invalid envelope) end as ParseError keeping the id and bytes", async () => {
    const t = setup();
    await t.actor({ name: "v", handler: () => ({}) });
    const raw = JSON.stringify({ id: "bad-1", route: { curr: "v" }, payload: 1 });
    await t.transport.publish("asya-v", { body: new TextEncoder().encode(raw) });
    const done = await t.spy.waitFor("bad-1", { to: "x-sink" });
    expect(done.envelope?.payload).toMatchObject({ encoding: "utf8", body: raw });
    expect(done.envelope?.status).toMatchObject({ reason: "ParseError", error: { type: "EnvelopeError" } });
  });

  it("bodies over maxMessageBytes end as ParseError", async () => {
    const t = setup();
    await t.actor({ name: "big", handler: () => ({}), maxMessageBytes: 200 });
    await t.send({ id: "big-1", route: ["big"], payload: { blob: "x".repeat(500) } });
    const done = await t.spy.waitFor("big-1", { to: "x-sink" });
    expect(done.envelope?.status).toMatchObject({ reason: "ParseError" });
    expect(done.envelope?.status?.error?.message).toMatch(/limit/);
  });
});

describe("outputs the transport refuses", () => {
  it("an output over the transport's size limit fails the envelope at x-sink instead of looping", async () => {
    const t = setup({ maxMessageBytes: 2_000 });
    let calls = 0;
    await t.actor({
      name: "huge",
      handler: () => {
        calls += 1;
        return { blob: "x".repeat(5_000) };
      },
    });
    await t.send({ id: "big-out", route: ["huge", "after"], payload: { small: true } });
    const done = await t.spy.waitFor("big-out", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: { small: true },
      status: { phase: "failed", reason: "RuntimeError", error: { type: "TransportError" } },
    });
    expect(calls).toBe(1);
  });
});

describe("fan-out all or nothing", () => {
  it("a fan-out with one child over the transport's limit publishes no child, fails the input", async () => {
    const t = setup({ maxMessageBytes: 2_000 });
    await t.actor({
      name: "fan-big",
      *handler() {
        yield { small: true };
        yield { blob: "x".repeat(5_000) };
      },
    });
    await t.send({ id: "fb-1", route: ["fan-big", "after"], payload: { input: 1 } });
    const done = await t.spy.waitFor("fb-1", { to: "x-sink" });
    expect(done.envelope).toMatchObject({
      payload: { input: 1 },
      status: { phase: "failed", reason: "RuntimeError", error: { type: "TransportError" } },
    });
    expect(t.spy.records().filter((r) => r.to === "after")).toEqual([]);
  });
});

describe("history is forward-only (SPEC 2)", () => {
  it("assigning ctx.route.prev or ctx.route.curr fails the call instead of being ignored", async () => {
    const t = setup();
    await t.actor({
      name: "rewrite-curr",
      handler: (p: unknown, ctx) => {
        (ctx.route as { curr: string }).curr = "elsewhere";
        return p;
      },
    });
    await t.actor({
      name: "rewrite-prev",
      handler: (p: unknown, ctx) => {
        (ctx.route as unknown as { prev: string[] }).prev = [];
        return p;
      },
    });
    await t.send({ id: "rc-1", route: ["rewrite-curr"], payload: {} });
    await t.send({ id: "rp-1", route: ["rewrite-prev"], payload: {} });
    for (const id of ["rc-1", "rp-1"]) {
      const done = await t.spy.waitFor(id, { to: "x-sink" });
      expect(done.envelope?.status).toMatchObject({
        phase: "failed",
        reason: "RuntimeError",
        error: { type: "TypeError" },
      });
    }
  });
});
