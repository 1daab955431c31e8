import {
  advanceRoute,
  EnvelopeError,
  fanOut,
  isRouteEnd,
  parseEnvelope,
  rewriteNext,
  serializeEnvelope,
  validateEnvelope,
} from "@asya/envelope";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as arb from "./arbitraries.js";

function expectOnlyEnvelopeErrors(input: string | Uint8Array): void {
  try {
    parseEnvelope(input);
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
  }
}

describe("routing properties", () => {
  it("advancing never loses or duplicates an actor: prev + curr + next is conserved", () => {
    fc.assert(
      fc.property(arb.route, fc.jsonValue(), (route, payload) => {
        const all = [...route.prev, route.curr, ...route.next];
        let envelope = validateEnvelope({ id: "p", route, payload });
        for (let step = 0; step <= route.next.length; step++) {
          expect(isRouteEnd(envelope)).toBe(false);
          envelope = advanceRoute(envelope);
          const { prev, curr, next } = envelope.route;
          expect([...prev, ...(curr === "" ? [] : [curr]), ...next]).toEqual(all);
          expect(prev).toHaveLength(route.prev.length + step + 1);
        }
        expect(isRouteEnd(envelope)).toBe(true);
        expect(envelope.route).toEqual({ prev: all, curr: "", next: [] });
      }),
    );
  });

  it("rewriting next never changes history: prev and curr are forward-only", () => {
    fc.assert(
      fc.property(arb.route, fc.array(arb.actorName, { maxLength: 5 }), (route, next) => {
        const envelope = rewriteNext(validateEnvelope({ id: "p", route, payload: 1 }), next);
        expect(envelope.route.prev).toEqual(route.prev);
        expect(envelope.route.curr).toBe(route.curr);
        const advanced = advanceRoute(envelope);
        expect(advanced.route.prev).toEqual([...route.prev, route.curr]);
        expect(advanced.route.curr).toBe(next[0] ?? "");
        expect(advanced.route.next).toEqual(next.slice(1));
      }),
    );
  });

  it("fan-out ids are unique, deterministic and point at the parent", () => {
    fc.assert(
      fc.property(arb.envelope, fc.array(fc.jsonValue(), { maxLength: 12 }), (wire, payloads) => {
        const parent = validateEnvelope(wire);
        const children = fanOut(parent, payloads);
        const ids = children.map((child) => child.id);
        expect(new Set(ids).size).toBe(payloads.length);
        expect(fanOut(parent, payloads).map((child) => child.id)).toEqual(ids);
        children.forEach((child, index) => {
          expect(child.payload).toBe(payloads[index]);
          if (index > 0) expect(child.parent_id).toBe(parent.id);
        });
      }),
    );
  });
});

describe("codec properties", () => {
  it("serialize(parse(x)) round-trips every valid envelope byte for byte, unknown fields included", () => {
    fc.assert(
      fc.property(arb.envelope, (wire) => {
        const text = JSON.stringify(wire);
        const parsed = parseEnvelope(text);
        expect(parsed).toEqual(wire);
        expect(serializeEnvelope(parsed)).toBe(text);
        expect(parseEnvelope(new TextEncoder().encode(text))).toEqual(wire);
      }),
      { numRuns: 300 },
    );
  });

  it("advance then serialize then parse keeps every non-route field", () => {
    fc.assert(
      fc.property(arb.envelope, (wire) => {
        const parsed = parseEnvelope(JSON.stringify(wire));
        fc.pre(!isRouteEnd(parsed));
        const again = parseEnvelope(serializeEnvelope(advanceRoute(parsed)));
        const { route: _a, ...rest } = again;
        const { route: _b, ...expected } = wire;
        expect(rest).toEqual(expected);
      }),
    );
  });

  it("parse never throws anything but EnvelopeError on arbitrary bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), expectOnlyEnvelopeErrors), { numRuns: 500 });
  });

  it("parse never throws anything but EnvelopeError on arbitrary strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), expectOnlyEnvelopeErrors), {
      numRuns: 500,
    });
  });

  it("parse never throws anything but EnvelopeError on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectOnlyEnvelopeErrors(JSON.stringify(value) ?? "")),
      { numRuns: 500 },
    );
  });

  it("parse never throws anything but EnvelopeError on mutated valid envelopes", () => {
    const mutation = fc.tuple(
      fc.constantFrom("id", "parent_id", "route", "headers", "status", "payload", "__proto__", "constructor"),
      fc.oneof(fc.jsonValue(), fc.constant(undefined)),
    );
    fc.assert(
      fc.property(arb.envelope, fc.array(mutation, { maxLength: 3 }), fc.nat(), (wire, mutations, cut) => {
        const mutated: Record<string, unknown> = { ...wire };
        for (const [key, value] of mutations)
          Object.defineProperty(mutated, key, {
            value,
            enumerable: true,
            configurable: true,
            writable: true,
          });
        const text = JSON.stringify(mutated);
        expectOnlyEnvelopeErrors(text);
        expectOnlyEnvelopeErrors(text.slice(0, cut % (text.length + 1)));
      }),
      { numRuns: 300 },
    );
  });

  it("rejects a forbidden key wherever it is placed", () => {
    fc.assert(
      fc.property(
        arb.envelope,
        fc.constantFrom("__proto__", "constructor", "prototype"),
        fc.array(fc.constantFrom("a", "b", 0), { maxLength: 4 }),
        (wire, key, path) => {
          let nested: unknown = JSON.parse(`{${JSON.stringify(key)}:1}`);
          for (const step of path.reverse())
            nested = typeof step === "number" ? [nested] : { [step]: nested };
          const text = JSON.stringify({ ...wire, payload: nested });
          expect(() => parseEnvelope(text)).toThrowError(expect.objectContaining({ code: "FORBIDDEN_KEY" }));
        },
      ),
    );
  });
});
