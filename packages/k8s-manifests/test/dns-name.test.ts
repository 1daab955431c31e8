import { dnsLabel, isDnsLabel } from "@asya/k8s-manifests";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);

describe("dnsLabel", () => {
  it("keeps short names as they are", () => {
    expect(dnsLabel("worker", "trigger-auth")).toBe("worker-trigger-auth");
    expect(dnsLabel("a".repeat(63))).toBe("a".repeat(63));
  });

  it("always yields a DNS-1123 label of at most 63 characters, deterministically", () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (parts) => {
        const name = dnsLabel(...parts);
        expect(isDnsLabel(name)).toBe(true);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(dnsLabel(...parts)).toBe(name);
      }),
    );
  });

  it("keeps distinct long names distinct after truncation", () => {
    fc.assert(
      fc.property(label, label, (a, b) => {
        fc.pre(a !== b);
        const long = "x".repeat(60);
        expect(dnsLabel(long, a)).not.toBe(dnsLabel(long, b));
      }),
    );
  });
});
