import fc from "fast-check";
import * as arb from "./arbitraries.js";

/**
 * Near-miss envelopes for the equivalence tests of the hand-written checks: a valid envelope with
 * one to three fields (at any depth of the schema) removed or replaced by a value close to a rule's
 * edge, or by an exotic JavaScript value that only `validateEnvelope` can receive.
 */

type Path = readonly (string | number)[];

/** Every place a schema rule applies, plus unknown fields at each loose level. */
const paths: readonly Path[] = [
  [],
  ["id"],
  ["parent_id"],
  ["route"],
  ["route", "prev"],
  ["route", "prev", 0],
  ["route", "curr"],
  ["route", "next"],
  ["route", "next", 0],
  ["route", "next", 1],
  ["route", "hops"],
  ["headers"],
  ["headers", "traceparent"],
  ["status"],
  ["status", "phase"],
  ["status", "actor"],
  ["status", "attempt"],
  ["status", "max_attempts"],
  ["status", "created_at"],
  ["status", "updated_at"],
  ["status", "deadline_at"],
  ["status", "reason"],
  ["status", "error"],
  ["status", "error", "type"],
  ["status", "error", "message"],
  ["status", "error", "mro"],
  ["status", "error", "mro", 0],
  ["status", "error", "traceback"],
  ["status", "error", "code"],
  ["status", "node"],
  ["payload"],
  ["extra"],
];

/** JSON values on either side of every rule: names, counts, strings, containers. */
export const edgeJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      null,
      true,
      false,
      0,
      -1,
      1,
      2,
      1.5,
      -0.5,
      2 ** 53,
      -(2 ** 53),
      1e300,
      "",
      "a",
      "A",
      "-a",
      "a-",
      "a-b",
      "a--b",
      "0",
      "9z",
      "a".repeat(63),
      "a".repeat(64),
      `a${"-".repeat(61)}b`,
      "x_y",
      "x.y",
      " a",
      "a\n",
      "é",
      "\u0130",
      "pending",
      "awaiting_approval",
      "Completed",
      "2026-11-24T10:00:02Z",
      [],
      [""],
      ["a"],
      ["a", "B"],
      ["a", 1],
      [null],
      [[]],
      {},
      { type: "E", message: "m" },
      { type: "E", message: "m", mro: ["A"], traceback: "tb" },
      { type: 1, message: "m" },
      { type: "E" },
      { type: "E", message: "m", mro: "A" },
      { type: "E", message: "m", mro: [1] },
      { type: "E", message: "m", traceback: 1 },
      { phase: "x" },
      { phase: "" },
      { prev: [], curr: "", next: [] },
      { prev: [], curr: "a" },
    ),
  },
  { weight: 1, arbitrary: arb.actorName },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

class Instance {
  readonly kind = "instance";
}
const enumerableSymbol = Symbol("enumerable");
const hiddenSymbol = Symbol("hidden");

/** What only an in-process caller can hand over: holes, `undefined`, prototypes, symbols, boxes. */
export const exoticValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    1n,
    Symbol("s"),
    () => "f",
    new Date(0),
    new Map(),
    new String("a"),
    new Instance(),
    Object.create(null),
    Object.create({ inherited: 1 }),
    { constructor: "not a function" },
    { constructor: Instance },
    { [enumerableSymbol]: 1 },
    Object.defineProperty({}, hiddenSymbol, { value: 1, enumerable: false }),
    // biome-ignore lint/suspicious/noSparseArray: a hole is exactly what this value is for.
    [, "a"],
    [undefined],
  ),
  fc.anything({
    maxDepth: 2,
    withNullPrototype: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withBigInt: true,
    withObjectString: true,
  }),
);

/** How a container on the path is rebuilt when it is kept but its prototype or keys change. */
type Reshape = "null-prototype" | "instance" | "inherited" | "enumerable-symbol" | "hidden-symbol";
const reshapes: readonly Reshape[] = [
  "null-prototype",
  "instance",
  "inherited",
  "enumerable-symbol",
  "hidden-symbol",
];

type Mutation =
  | { readonly op: "delete"; readonly path: Path }
  | { readonly op: "set"; readonly path: Path; readonly value: unknown }
  | { readonly op: "reshape"; readonly path: Path; readonly how: Reshape };

function reshape(value: unknown, how: Reshape): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  switch (how) {
    case "null-prototype":
      return Object.assign(Object.create(null), value);
    case "instance":
      return Object.assign(new Instance(), value);
    case "inherited":
      return Object.create(value);
    case "enumerable-symbol":
      return { ...value, [enumerableSymbol]: 1 };
    case "hidden-symbol":
      return Object.defineProperty({ ...value }, hiddenSymbol, { value: 1, enumerable: false });
  }
}

/** Copies `root` along `path` (objects and arrays become fresh plain ones) and applies `mutation`. */
function apply(root: unknown, mutation: Mutation): unknown {
  const edit = (node: unknown, depth: number): unknown => {
    if (depth === mutation.path.length) {
      if (mutation.op === "set") return mutation.value;
      if (mutation.op === "reshape") return reshape(node, mutation.how);
      return node;
    }
    const key = mutation.path[depth] as string | number;
    const fresh: object = Array.isArray(node)
      ? [...(node as unknown[])]
      : typeof node === "object" && node !== null
        ? { ...node }
        : typeof key === "number"
          ? []
          : {};
    const container = fresh as Record<string | number, unknown>;
    if (mutation.op === "delete" && depth === mutation.path.length - 1) {
      delete container[key];
      return container;
    }
    container[key] = edit(container[key], depth + 1);
    return container;
  };
  return edit(root, 0);
}

const path = fc.constantFrom(...paths);

function mutation(value: fc.Arbitrary<unknown>, withReshape: boolean): fc.Arbitrary<Mutation> {
  const kinds: fc.Arbitrary<Mutation>[] = [
    path.map((at) => ({ op: "delete", path: at })),
    fc.record({ op: fc.constant("set"), path, value }),
  ];
  if (withReshape)
    kinds.push(fc.record({ op: fc.constant("reshape"), path, how: fc.constantFrom(...reshapes) }));
  return fc.oneof(...kinds);
}

const mutated = (value: fc.Arbitrary<unknown>, withReshape: boolean) =>
  fc
    .tuple(arb.envelope, fc.array(mutation(value, withReshape), { minLength: 1, maxLength: 3 }))
    .map(([wire, mutations]) => mutations.reduce<unknown>(apply, wire));

/**
 * Valid envelopes and JSON near misses of them, as `JSON.parse` would return them (the shape of what
 * `parseEnvelope` validates).
 */
export const jsonCandidate: fc.Arbitrary<unknown> = fc
  .oneof({ weight: 1, arbitrary: arb.envelope }, { weight: 3, arbitrary: mutated(edgeJsonValue, false) })
  .map((value) => JSON.parse(JSON.stringify(value) ?? "null") as unknown);

/** Everything `validateEnvelope` may be given: JSON near misses plus exotic values and prototypes. */
export const anyCandidate: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: arb.envelope },
  { weight: 2, arbitrary: mutated(edgeJsonValue, true) },
  { weight: 2, arbitrary: mutated(fc.oneof(edgeJsonValue, exoticValue), true) },
);
