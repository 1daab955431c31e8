import type { CreateEnvelopeInput, Envelope } from "@asya/envelope";
import type { Handler, HandlerContext } from "@asya/runtime";
import { describe, expect, it } from "vitest";
import { setup } from "./helpers.js";

// SPEC section 3's paths, as Asya's runtime reads them, through an actor on the memory transport.
// Each case runs the handler as actor "h" and looks at where its output (or failure) went.

type Input = Omit<CreateEnvelopeInput, "route" | "payload"> & {
  readonly route?: CreateEnvelopeInput["route"];
  readonly payload?: unknown;
};

async function run(
  handler: Handler,
  input: Input = {},
  resiliency?: Parameters<ReturnType<typeof setup>["actor"]>[0]["resiliency"],
) {
  const t = setup();
  await t.actor({ name: "h", handler, ...(resiliency === undefined ? {} : { resiliency }) });
  const sent = await t.send({
    id: "e1",
    route: input.route ?? { prev: ["p0"], curr: "h", next: ["a", "b", "c"] },
    payload: input.payload ?? {},
    ...(input.headers === undefined ? {} : { headers: input.headers }),
    ...(input.status === undefined ? {} : { status: input.status }),
    ...(input.parent_id === undefined ? {} : { parent_id: input.parent_id }),
  });
  // The first envelope the handler's call sent on (the input itself was addressed to "h").
  const first = await t.spy.waitFor(sent.id, { predicate: (record) => record.to !== "h" });
  return { t, first, envelope: first.envelope as Envelope };
}

/** Runs a generator that yields one command and emits what the command returned. */
async function get(path: string, input: Input = {}) {
  const { envelope } = await run(function* () {
    const value: unknown = yield ["GET", path];
    yield { value };
  }, input);
  return envelope;
}

async function failure(handler: Handler, input: Input = {}) {
  const { envelope, t } = await run(handler, input, {
    // A default policy that would retry: protocol errors must fail at once anyway.
    policies: { default: { maxAttempts: 4, initialDelay: 1 } },
  });
  const calls = t.spy.history("e1").filter((record) => record.envelope?.status?.phase === "retrying");
  return { envelope, retries: calls.length };
}

describe("GET paths", () => {
  it("indexes, negative indexes, whole lists", async () => {
    expect((await get(".route.next[0]")).payload).toEqual({ value: "a" });
    expect((await get(".route.next[-1]")).payload).toEqual({ value: "c" });
    expect((await get(".route.next")).payload).toEqual({ value: ["a", "b", "c"] });
    expect((await get(".route.prev")).payload).toEqual({ value: ["p0"] });
    expect((await get(".route.curr")).payload).toEqual({ value: "h" });
  });

  it("quoted keys with dots, both quote styles; hyphenated dot keys", async () => {
    const headers = { "model.config.version": "v3", "x-tenant": "acme" };
    expect((await get('.headers["model.config.version"]', { headers })).payload).toEqual({ value: "v3" });
    expect((await get(".headers['model.config.version']", { headers })).payload).toEqual({ value: "v3" });
    expect((await get(".headers.x-tenant", { headers })).payload).toEqual({ value: "acme" });
  });

  it('reads id, parent_id ("" when absent) and the status as stamped on receipt', async () => {
    expect((await get(".id")).payload).toEqual({ value: "e1" });
    expect((await get(".parent_id")).payload).toEqual({ value: "" });
    expect((await get(".parent_id", { parent_id: "root-1" })).payload).toEqual({ value: "root-1" });
    expect((await get(".status.phase")).payload).toEqual({ value: "processing" });
    expect((await get(".status.actor")).payload).toEqual({ value: "h" });
  });

  it("returns a copy: changing it changes nothing", async () => {
    const { envelope } = await run(function* () {
      const next = (yield ["GET", ".route.next"]) as string[];
      next.push("zzz");
      const again: unknown = yield ["GET", ".route.next"];
      yield { again };
    });
    expect(envelope.payload).toEqual({ again: ["a", "b", "c"] });
  });
});

describe("a missing key or index fails the call with PathNotFoundError, never retried", () => {
  it.each([
    ["GET", ".headers.nonexistent"],
    ["GET", ".route.next[5]"],
    ["GET", ".route.next[-4]"],
    ["GET", ".status.nope.deeper"],
    ["GET", ".payload"],
    ["DEL", ".headers.nonexistent"],
    ["DEL", ".route.next[3]"],
  ])("%s %s", async (verb, path) => {
    const { envelope, retries } = await failure(function* () {
      yield [verb, path];
      yield { unreachable: true };
    });
    expect(envelope.route.curr).toBe("h");
    expect(envelope.status).toMatchObject({
      phase: "failed",
      reason: "RuntimeError",
      error: { type: "PathNotFoundError", mro: ["HandlerProtocolError"] },
    });
    expect(envelope.status?.error?.message).toContain(path.replace(/^\./, "").split(/[.[]/)[0] ?? "");
    expect(retries).toBe(0);
  });
});

describe("SET and DEL on route.next", () => {
  const next = async (...commands: unknown[][]) => {
    const { envelope } = await run(function* () {
      for (const command of commands) yield command;
      yield { ok: true };
    });
    return envelope.route;
  };

  it("prepend [:0], append [999:], splice [1:3], element [1], tail [2:], DEL element", async () => {
    expect(await next(["SET", ".route.next[:0]", ["x", "y"]])).toMatchObject({
      curr: "x",
      next: ["y", "a", "b", "c"],
    });
    expect(await next(["SET", ".route.next[999:]", ["z"]])).toMatchObject({
      curr: "a",
      next: ["b", "c", "z"],
    });
    expect(await next(["SET", ".route.next[1:3]", ["m"]])).toMatchObject({ curr: "a", next: ["m"] });
    expect(await next(["SET", ".route.next[1]", "x"])).toMatchObject({ curr: "a", next: ["x", "c"] });
    expect(await next(["SET", ".route.next[-1]", "y"])).toMatchObject({ curr: "a", next: ["b", "y"] });
    expect(await next(["SET", ".route.next[2:]", []])).toMatchObject({ curr: "a", next: ["b"] });
    expect(await next(["DEL", ".route.next[1]"])).toMatchObject({ curr: "a", next: ["c"] });
    expect(await next(["DEL", ".route.next[0]"], ["DEL", ".route.next[0]"])).toMatchObject({
      curr: "c",
      next: [],
    });
    expect(await next(["SET", ".route.next", ["only"]])).toMatchObject({ curr: "only", next: [] });
  });

  it("each output uses next as it stood when emitted (fan-out with prepends)", async () => {
    const { t } = await run(function* () {
      yield ["SET", ".route.next[:0]", ["b1"]];
      yield { n: 0 };
      yield ["SET", ".route.next[:0]", ["b2"]];
      yield { n: 1 };
    });
    const child = await t.spy.waitFor("e1-1", { predicate: (record) => record.to !== "h" });
    const parent = t.spy.history("e1").find((record) => record.to !== "h")?.envelope;
    expect(parent?.route).toEqual({ prev: ["p0", "h"], curr: "b1", next: ["a", "b", "c"] });
    expect(child.envelope?.route).toEqual({ prev: ["p0", "h"], curr: "b2", next: ["b1", "a", "b", "c"] });
  });
});

describe("headers and status are writable; history is not", () => {
  it("SET/DEL .headers.* (intermediate objects created), SET/DEL .status.*", async () => {
    const { envelope } = await run(
      function* () {
        yield ["SET", ".headers.a.b", "deep"];
        yield ["SET", '.headers["k.with.dots"]', 1];
        yield ["DEL", ".headers.drop"];
        yield ["SET", ".status.review", { by: "judge" }];
        yield ["SET", ".status.phase", "awaiting_approval"];
        yield { ok: true };
      },
      { headers: { drop: "x", keep: "y" } },
    );
    expect(envelope.headers).toMatchObject({ a: { b: "deep" }, "k.with.dots": 1, keep: "y" });
    expect(envelope.headers).not.toHaveProperty("drop");
    // Custom status fields ride along; the runtime's stamp for the next actor still applies.
    expect(envelope.status).toMatchObject({
      review: { by: "judge" },
      phase: "pending",
      actor: "a",
      attempt: 1,
    });
  });

  it("DEL .status.<field> removes it from what the handler and the outputs see", async () => {
    const { envelope } = await run(function* () {
      yield ["SET", ".status.mark", 1];
      yield ["DEL", ".status.mark"];
      const had: unknown = yield ["GET", ".status"];
      yield { had };
    });
    expect(envelope.status).not.toHaveProperty("mark");
    expect((envelope.payload as { had: Record<string, unknown> }).had).not.toHaveProperty("mark");
  });

  it.each([
    ["SET", ".route.prev", []],
    ["SET", ".route.curr", "evil"],
    ["SET", ".id", "injected"],
    ["SET", ".parent_id", "injected"],
    ["DEL", ".route.prev"],
    ["DEL", ".id"],
  ])("%s %s fails as a protocol error, not retried", async (...command) => {
    const { envelope, retries } = await failure(function* () {
      yield command;
      yield { unreachable: true };
    });
    expect(envelope.status).toMatchObject({
      phase: "failed",
      reason: "RuntimeError",
      error: { type: "HandlerProtocolError" },
    });
    expect(envelope.status?.error?.message).toContain(
      "only .route.next, .headers and .status can be changed",
    );
    expect(retries).toBe(0);
  });

  it("SET stores a copy: changing the value afterwards changes nothing", async () => {
    const { envelope } = await run(function* () {
      const next = ["x", "y"];
      const meta = { tier: "gold" };
      yield ["SET", ".route.next", next];
      yield ["SET", ".headers.meta", meta];
      next.push("z");
      meta.tier = "lead";
      yield { ok: true };
    });
    expect(envelope.route).toMatchObject({ curr: "x", next: ["y"] });
    expect(envelope.headers?.meta).toEqual({ tier: "gold" });
  });

  it("yielded non-command values are payloads; a bare yield is nothing", async () => {
    const { t } = await run(function* () {
      yield undefined;
      yield 42;
      yield "text";
      yield [1, 2];
      yield ["not", "a command"];
    });
    await t.spy.waitFor("e1-3", { predicate: (record) => record.to !== "h" });
    const payloads = ["e1", "e1-1", "e1-2", "e1-3"].map(
      (id) => t.spy.history(id).find((record) => record.to !== "h")?.envelope?.payload,
    );
    expect(payloads).toEqual([42, "text", [1, 2], ["not", "a command"]]);
  });

  it.each([
    ["PUT", ".headers.x", 1],
    ["SET", ".headers.x"],
    ["GET", ".route.next", "extra"],
  ])("%s %s ... (unknown verb or wrong arity) is a protocol error, not a payload", async (...command) => {
    const { envelope } = await failure(function* () {
      yield command;
    });
    expect(envelope.status?.error?.type).toBe("HandlerProtocolError");
  });

  it.each([
    ["GET", ".route.next[:0]"],
    ["DEL", ".route.next[1:2]"],
    ["GET", "route.next"],
    ["GET", ".route..next"],
    ["GET", ".headers.__proto__"],
    ["SET", ".route.next[:0]", "not-a-list"],
  ])("%s %s is a protocol error", async (...command) => {
    const { envelope } = await failure(function* () {
      yield command;
    });
    expect(envelope.status?.error?.type).toBe("HandlerProtocolError");
  });
});

describe("the typed ctx has the same powers", () => {
  it("ctx.get / ctx.set / ctx.del, ctx.status, ctx.route.next", async () => {
    const seen: unknown[] = [];
    const { envelope } = await run(
      (payload: unknown, ctx: HandlerContext) => {
        seen.push(ctx.get(".route.next[-1]"), ctx.get('.headers["a.b"]'));
        ctx.set(".route.next[:0]", ["first"]);
        ctx.set(".status.note", "hi");
        ctx.del(".headers.gone");
        ctx.status.extra = true;
        ctx.route.next.push("last");
        expect(() => ctx.get(".headers.missing")).toThrow(
          expect.objectContaining({ name: "PathNotFoundError" }),
        );
        expect(() => ctx.set(".route.prev", [])).toThrow(
          expect.objectContaining({ name: "HandlerProtocolError" }),
        );
        return payload;
      },
      { headers: { "a.b": 7, gone: 1 } },
    );
    expect(seen).toEqual(["c", 7]);
    expect(envelope.route).toMatchObject({ curr: "first", next: ["a", "b", "c", "last"] });
    expect(envelope.status).toMatchObject({ note: "hi", extra: true, phase: "pending" });
    expect(envelope.headers).not.toHaveProperty("gone");
  });
});
