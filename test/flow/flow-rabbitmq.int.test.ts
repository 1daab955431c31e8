import { join } from "node:path";
import { createEnvelope, encodeEnvelope, HEADER_RESUME_TASK, RESUME_ACTOR } from "@asya/envelope";
import { setPauseResponder } from "@asya/flow";
import { runFlow } from "@asya/flow/run";
import { PAUSE_KEYS } from "@asya/runtime/crew";
import { createFileStateStore } from "@asya/state";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { digest } from "../../examples/flows/fan-out.js";
import { pipeline, prepare } from "../../examples/flows/inline.js";
import { refine } from "../../examples/flows/loop.js";
import { approve } from "../../examples/flows/pause.js";
import { deliver } from "../../examples/flows/try-catch.js";
import { REPO_ROOT } from "../reliability/harness/actor-process.js";
import { rabbitMqEnv } from "../reliability/harness/mesh.js";
import type { SinkEnvelope } from "../reliability/harness/sink-collector.js";
import { waitFor } from "../reliability/harness/wait.js";
import { type DeployedFlow, deployFlow } from "./flow-mesh.js";

// From outside: the example flows (examples/flows) compiled with @asya/flow/compiler, every router,
// handler actor and fan-in aggregator an `asya run` child process on the run's private RabbitMQ
// node (crew x-sink, x-pause, x-resume too), each flow in a namespace of its own. A payload sent to
// start-<flow> must end at x-sink with the state the flow function gives when called directly and
// that runFlow (memory transport, in process) gives, through the same handler calls.

const FLOWS = join(REPO_ROOT, "examples/flows");

// The direct call's handler calls, recorded by wrapping every handler the flows import.
const directCalls: string[] = vi.hoisted(() => []);
vi.mock("../../examples/flows/handlers.js", async (importOriginal) => {
  const { recordCalls } = await import("../../examples/flows/record-calls.js");
  return recordCalls(await importOriginal<Record<string, unknown>>(), directCalls);
});

type Flow = (state: never) => Promise<unknown>;

interface Expected {
  /** The final state of the direct call, as JSON. */
  readonly state: unknown;
  /** Handler calls of the direct call. */
  readonly calls: readonly string[];
  /** runFlow's final state, calls and the phase its envelope ended in at x-sink. */
  readonly run: { readonly result: unknown; readonly calls: readonly string[]; readonly phase: unknown };
}

/** The flow called directly, then run compiled in process (runFlow); they must agree. */
async function expectedOf(
  mesh: DeployedFlow,
  flow: string,
  fn: Flow,
  payload: unknown,
  answers?: readonly unknown[],
): Promise<Expected> {
  directCalls.length = 0;
  if (answers !== undefined) {
    let next = 0;
    setPauseResponder(() => answers[next++]);
  }
  const state = JSON.parse(JSON.stringify(await fn(structuredClone(payload) as never))) as unknown;
  const calls = [...directCalls];
  const run = await runFlow({
    file: mesh.compiled.file,
    compiled: mesh.compiled,
    flow,
    payload,
    ...(answers === undefined ? {} : { answers }),
  });
  expect(run.status).toBe("succeeded");
  expect(run.result).toEqual(state);
  expect(run.calls).toEqual(calls);
  return { state, calls, run: { result: run.result, calls: run.calls, phase: run.envelope.status?.phase } };
}

/** The envelope at x-sink ended succeeded with the expected state after the expected handler calls. */
function expectSameRun(mesh: DeployedFlow, envelope: SinkEnvelope, expected: Expected): void {
  expect(envelope.status?.phase, JSON.stringify(envelope.status)).toBe("succeeded");
  expect(expected.run.phase).toBe("succeeded");
  expect(envelope.payload).toEqual(expected.state);
  expect(envelope.payload).toEqual(expected.run.result);
  expect(envelope.route?.next ?? []).toEqual([]);
  expect(mesh.handlerCalls(envelope)).toEqual(expected.calls);
  expect(mesh.handlerCalls(envelope)).toEqual(expected.run.calls);
}

describe("compiled example flows on RabbitMQ, every actor an asya run process", () => {
  const amqpUrl = inject("rabbitmqUrl");
  const broker = rabbitMqEnv(amqpUrl);
  const deployed: DeployedFlow[] = [];
  const deploy = async (file: string, flows: readonly string[], label: string): Promise<DeployedFlow> => {
    const mesh = await deployFlow({ file: join(FLOWS, file), flows, broker, amqpUrl, label });
    deployed.push(mesh);
    console.info(
      `[flow ${flows.join(", ")}] ${mesh.processes.length} processes ready in ${mesh.startMs} ms (${mesh.namespace})`,
    );
    return mesh;
  };

  afterEach(async () => {
    setPauseResponder(undefined);
    await Promise.all(deployed.splice(0).map((mesh) => mesh.close()));
  });

  it("branches, sequence, early return and an inlined flow (inline.ts prepare and pipeline)", async () => {
    // Both flows of the file in one namespace: pipeline inlines prepare, they share classify and enrich.
    const mesh = await deploy("inline.ts", ["prepare", "pipeline"], "flow-inline");
    const cases = [
      // Confidence 0.0 < 0.3: prepare's early return ends the route at x-sink right after classify.
      { flow: "prepare", fn: prepare as Flow, id: "prepare-return", payload: { text: "fine words" } },
      // Confidence 0.6: the branch falls through to enrich.
      { flow: "prepare", fn: prepare as Flow, id: "prepare-enrich", payload: { text: "enrich me please" } },
      // Inlined, prepare's early return continues in pipeline: store still runs.
      { flow: "pipeline", fn: pipeline as Flow, id: "pipeline-return", payload: { text: "fine words" } },
      {
        flow: "pipeline",
        fn: pipeline as Flow,
        id: "pipeline-enrich",
        payload: { text: "enrich me please" },
      },
    ];
    for (const { flow, id, payload } of cases) await mesh.send(flow, id, payload);
    const expectations: Expected[] = [];
    for (const { flow, fn, payload } of cases) expectations.push(await expectedOf(mesh, flow, fn, payload));
    for (const [i, { id }] of cases.entries()) {
      expectSameRun(mesh, await mesh.result(id), expectations[i] as Expected);
    }
    expect(expectations.map((e) => e.calls)).toEqual([
      ["classify"],
      ["classify", "enrich"],
      ["classify", "store"],
      ["classify", "enrich", "store"],
    ]);
    // The route ended at the if-router: classify was the only actor after start-prepare.
    expect((await mesh.result("prepare-return")).route?.prev).toEqual([
      "start-prepare",
      "classify",
      expect.stringMatching(/^prepare-if-/),
    ]);
    expect((await mesh.result("pipeline-return")).payload).toMatchObject({ confidence: 0, stored: 1 });
  });

  it("a loop with break and continue (loop.ts refine)", async () => {
    const mesh = await deploy("loop.ts", ["refine"], "flow-loop");
    const cases = [
      // Enriched on rounds 1, 3, 5 (2, 4, 6 continue), out by `if (p.round > 6) break`.
      { id: "refine-rounds", payload: { text: "draft", round: 0 } },
      // Done after the first enrich (four tags): out by `if (p.done) break`.
      { id: "refine-done", payload: { text: "draft", round: 0, tags: ["a", "b", "c"] } },
    ];
    for (const { id, payload } of cases) await mesh.send("refine", id, payload);
    for (const { id, payload } of cases) {
      const expected = await expectedOf(mesh, "refine", refine as Flow, payload);
      expectSameRun(mesh, await mesh.result(id), expected);
    }
    const rounds = await mesh.result("refine-rounds");
    expect(rounds.payload).toMatchObject({ round: 7, tags: ["t0", "t1", "t2"] });
    expect(mesh.handlerCalls(rounds)).toEqual(["enrich", "enrich", "enrich", "review"]);
    const done = await mesh.result("refine-done");
    expect(done.payload).toMatchObject({ round: 1, done: true });
    expect(mesh.handlerCalls(done)).toEqual(["enrich", "review"]);
  });

  it("fan-out and fan-in: a map over a list and a tuple Promise.all (fan-out.ts digest)", async () => {
    const mesh = await deploy("fan-out.ts", ["digest"], "flow-fanout");
    const cases = [
      { id: "digest-words", payload: { text: "alpha beta gamma delta" } },
      // No chunks: the map fans out to no slice (the aggregator gets only the parent's frame).
      { id: "digest-empty", payload: { text: "" } },
    ];
    for (const { id, payload } of cases) await mesh.send("digest", id, payload);
    for (const { id, payload } of cases) {
      const expected = await expectedOf(mesh, "digest", digest as Flow, payload);
      const envelope = await mesh.result(id);
      // The flow ends at the second aggregator, which hands the merge to x-sink stamped "pending"
      // (an actor ending a route stamps "succeeded"); x-sink reports it succeeded, and runFlow's
      // envelope ends the same way.
      expect(envelope.status?.phase, JSON.stringify(envelope.status)).toBe(expected.run.phase);
      expect(envelope.status?.phase).not.toBe("failed");
      expect(envelope.payload).toEqual(expected.state);
      expect(envelope.payload).toEqual(expected.run.result);
      // The merged envelope is the parent's: classify ran on it, the slices' actors did not.
      expect(mesh.handlerCalls(envelope)).toEqual(["classify"]);
    }
    // The parts in the order of the chunks, each view computed from its own copy of the state.
    expect((await mesh.result("digest-words")).payload).toMatchObject({
      words: 4,
      parts: [
        { text: "ALPHA", words: 1 },
        { text: "BETA", words: 1 },
        { text: "GAMMA", words: 1 },
        { text: "DELTA", words: 1 },
      ],
      views: [{ tags: ["t0"], seen: 1 }, { reviewed: true }],
    });
    expect((await mesh.result("digest-empty")).payload).toMatchObject({ parts: [], words: 0 });
    // Only the merged envelopes are results: no slice or partial reached x-sink.
    expect(
      mesh
        .sunk()
        .map((e) => e.id)
        .sort(),
    ).toEqual(["digest-empty", "digest-words"]);
  });

  it("try / catch / finally: the catch path by the generated resiliency rules, and the happy path (try-catch.ts deliver)", async () => {
    const mesh = await deploy("try-catch.ts", ["deliver"], "flow-try");
    const cases = [
      { id: "deliver-fail", payload: { text: "breaking news", fail: true } },
      { id: "deliver-ok", payload: { text: "breaking news", fail: false } },
    ];
    for (const { id, payload } of cases) await mesh.send("deliver", id, payload);
    for (const { id, payload } of cases) {
      const expected = await expectedOf(mesh, "deliver", deliver as Flow, payload);
      expectSameRun(mesh, await mesh.result(id), expected);
    }
    const failed = await mesh.result("deliver-fail");
    // notify threw once (maxAttempts 1, onExhausted -> the catch code), finally's store ran, and
    // the second try's notify (its own actor) succeeded.
    expect(failed.payload).toMatchObject({
      notified: true,
      fail: false,
      stored: 1,
      tags: ["caught", "retried"],
    });
    expect(mesh.handlerCalls(failed)).toEqual(["review", "notify", "store", "notify"]);
    const ok = await mesh.result("deliver-ok");
    expect(ok.payload).toMatchObject({ notified: true, stored: 1, tags: ["delivered"] });
    expect(mesh.handlerCalls(ok)).toEqual(["review", "notify", "store"]);
  });

  it("pause: the checkpoint is written, the resume envelope at x-resume continues the flow with the answer (pause.ts approve)", async () => {
    const mesh = await deploy("pause.ts", ["approve"], "flow-pause");
    const cases = [
      { id: "approve-yes", payload: { text: "Big news" }, answer: { approved: true, editor: "ann" } },
      { id: "approve-no", payload: { text: "Small news" }, answer: { approved: false } },
    ];
    const store = createFileStateStore({ dir: mesh.stateDir });
    try {
      for (const { id, payload } of cases) await mesh.send("approve", id, payload);
      for (const { id, payload } of cases) {
        let checkpoint: { pause?: { prompt?: string } } | undefined;
        await waitFor(
          `the checkpoint of ${id}`,
          async () => {
            checkpoint = (await store.get(PAUSE_KEYS.checkpoint(id))) as typeof checkpoint;
            return checkpoint !== undefined;
          },
          30_000,
          25,
        );
        expect(checkpoint?.pause?.prompt).toBe(`Publish "${payload.text}"?`);
      }
      // Paused: nothing reached x-sink.
      expect(mesh.sunk()).toEqual([]);
      for (const { id, answer } of cases) {
        const resume = createEnvelope({
          id,
          route: { prev: [], curr: RESUME_ACTOR, next: [] },
          headers: { [HEADER_RESUME_TASK]: id },
          payload: answer,
        });
        await mesh.publish(RESUME_ACTOR, encodeEnvelope(resume));
      }
      for (const { id, payload, answer } of cases) {
        const expected = await expectedOf(mesh, "approve", approve as Flow, payload, [answer]);
        expectSameRun(mesh, await mesh.result(id), expected);
      }
      expect((await mesh.result("approve-yes")).payload).toMatchObject({
        approved: true,
        editor: "ann",
        reviewed: true,
        stored: 1,
      });
      const no = await mesh.result("approve-no");
      expect(no.payload).toMatchObject({ approved: false, reviewed: true });
      expect(mesh.handlerCalls(no)).toEqual(["review"]);
      // The resume claimed and cleared the checkpoints.
      for (const { id } of cases) expect(await store.get(PAUSE_KEYS.checkpoint(id))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
