import { asyncActorOpenApiSchema, asyncActorSchema, formatFieldPath, renderCrd } from "@asya/k8s-manifests";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BAD_CASES } from "./helpers/bad-actors.js";
import { exampleActors, exampleFiles, exampleText } from "./helpers/examples.js";
import { structuralProblems, withStrictFields } from "./helpers/structural.js";
import { actorInput, fileClaimCheck, rabbitmq, s3ClaimCheck, sqs } from "./helpers/variants.js";

function compile(schema: Record<string, unknown>): ValidateFunction {
  // Kubernetes extensions are annotations for ajv; everything else stays strict so a typo in a
  // standard keyword fails here.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, strictTypes: false });
  for (const keyword of [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "x-kubernetes-validations",
  ]) {
    ajv.addKeyword({ keyword });
  }
  return ajv.compile(schema);
}

const crdSchema = () =>
  (renderCrd().spec as { versions: { schema: { openAPIV3Schema: Record<string, unknown> } }[] }).versions[0]!
    .schema.openAPIV3Schema;
const validate = compile(asyncActorOpenApiSchema());
const validateStrict = compile(withStrictFields(asyncActorOpenApiSchema()));
const documents = (file: string): unknown[] =>
  exampleText(file)
    .split(/^---$/m)
    .map((doc) => parse(doc) as unknown)
    .filter((doc) => doc !== null);

describe("the CRD's openAPIV3Schema", () => {
  it("is the schema renderCrd() embeds", () => {
    expect(crdSchema()).toEqual(asyncActorOpenApiSchema());
  });

  it("is structural: no $ref, no additionalProperties beside properties, only JSONSchemaProps fields", () => {
    expect(structuralProblems(asyncActorOpenApiSchema())).toEqual([]);
  });

  it("is checked by the structural check (which does flag a non-structural schema)", () => {
    expect(
      structuralProblems({ type: "object", properties: { a: { $ref: "#/x" } }, additionalProperties: false }),
    ).toEqual([
      "#: properties and additionalProperties are mutually exclusive",
      "#: additionalProperties: false is not allowed",
      "#.properties.a: $ref is not allowed",
      "#.properties.a: type is required",
    ]);
  });

  it("carries Asya's defaults, enums and bounds", () => {
    const spec = (
      asyncActorOpenApiSchema().properties as Record<string, Record<string, Record<string, unknown>>>
    ).spec!;
    const scaling = spec.properties!.scaling as {
      properties: Record<string, { default?: unknown; minimum?: number }>;
    };
    expect(Object.fromEntries(Object.entries(scaling.properties).map(([k, v]) => [k, v.default]))).toEqual({
      enabled: true,
      minReplicaCount: 0,
      maxReplicaCount: 10,
      pollingInterval: 30,
      cooldownPeriod: 300,
      queueLength: 5,
      advanced: undefined,
    });
    expect(scaling.properties.maxReplicaCount!.minimum).toBe(1);
    expect(spec.required).toEqual(["actor", "image", "transport"]);
    expect((spec.properties!.imagePullPolicy as { enum: string[] }).enum).toEqual([
      "Always",
      "IfNotPresent",
      "Never",
    ]);
  });

  it("encodes the cross-field rules as CEL validations", () => {
    const text = JSON.stringify(asyncActorOpenApiSchema());
    expect(text).toContain("self.minReplicaCount <= self.maxReplicaCount");
    expect(text).toContain("has(self.sqs) == (self.type == 'sqs')");
    expect(text).toContain("!has(self.formula) || has(self.target)");
  });

  for (const file of exampleFiles()) {
    it(`accepts examples/k8s/${file} (and so does the zod schema)`, () => {
      const docs = documents(file);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        expect(validateStrict(structuredClone(doc)), JSON.stringify(validateStrict.errors)).toBe(true);
        expect(asyncActorSchema.safeParse(doc).success).toBe(true);
      }
      expect(exampleActors(file)).toHaveLength(docs.length);
    });
  }

  it("accepts AsyncActors with a claimCheck (s3 and file), strictly, as the zod schema does", () => {
    const specs = [actorInput(sqs, { claimCheck: s3ClaimCheck }), actorInput(rabbitmq, fileClaimCheck)];
    for (const doc of specs) {
      expect(validateStrict(structuredClone(doc)), JSON.stringify(validateStrict.errors)).toBe(true);
      expect(asyncActorSchema.safeParse(doc).success).toBe(true);
    }
    const spec = (
      asyncActorOpenApiSchema().properties as Record<string, Record<string, Record<string, unknown>>>
    ).spec!;
    const claimCheck = spec.properties!.claimCheck as {
      properties: Record<string, { type?: string; enum?: string[] }>;
      required: string[];
      "x-kubernetes-validations": { rule: string }[];
    };
    expect(Object.keys(claimCheck.properties).sort()).toEqual([
      "bucket",
      "dir",
      "gzip",
      "prefix",
      "s3Endpoint",
      "store",
      "thresholdBytes",
    ]);
    expect(claimCheck.properties.store!.enum).toEqual(["s3", "file"]);
    expect(claimCheck.properties.thresholdBytes!.type).toBe("integer");
    expect(claimCheck.properties.gzip!.type).toBe("boolean");
    expect(claimCheck.required).toEqual(["store"]);
    expect(claimCheck["x-kubernetes-validations"].map((v) => v.rule)).toContain(
      "self.store != 's3' || has(self.bucket)",
    );
    expect(spec.required).not.toContain("claimCheck");
  });

  it("applies the same defaults as the zod schema", () => {
    const input = actorInput(rabbitmq);
    const defaulted = structuredClone(input) as Record<string, unknown>;
    expect(validate(defaulted)).toBe(true);
    const { metadata: _m, ...parsed } = asyncActorSchema.parse(input);
    const { metadata: _d, ...viaCrd } = defaulted;
    expect(viaCrd).toEqual(parsed);
  });
});

describe("a table of bad AsyncActors", () => {
  for (const bad of BAD_CASES) {
    it(`${bad.label}: zod reports ${bad.path}; the CRD rejects it (${bad.crd})`, () => {
      const doc = structuredClone(actorInput(rabbitmq)) as unknown as Parameters<typeof bad.mutate>[0];
      bad.mutate(doc);
      const result = asyncActorSchema.safeParse(doc);
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((issue) => formatFieldPath(issue.path))).toContain(bad.path);
      if (bad.crd === "schema") {
        expect(validate(structuredClone(doc))).toBe(false);
      } else if (bad.crd === "strict") {
        expect(validate(structuredClone(doc))).toBe(true); // pruned silently by default...
        expect(validateStrict(structuredClone(doc))).toBe(false); // ...rejected with --validate=strict
      } else if (bad.crd === "cel") {
        expect(validate(structuredClone(doc))).toBe(true); // needs the apiserver's CEL evaluation
      } else {
        expect(validateStrict(structuredClone(doc))).toBe(true); // only renderActor refuses it
      }
    });
  }
});
