import { z } from "zod";
import { parsePointer, setAtPointer } from "./json-pointer.js";

const FIELD_TYPES = ["string", "number", "boolean", "array", "object"] as const;

/** One field a human answers (GATEWAY.md section 5). */
export const pauseFieldSchema = z.object({
  name: z.string().min(1).max(128),
  type: z.enum(FIELD_TYPES),
  prompt: z.string().optional(),
  /** Where the answer goes in the payload (JSON Pointer). @default "/<name>" */
  payload_key: z
    .string()
    .refine(
      (pointer) => {
        try {
          parsePointer(pointer);
          return true;
        } catch {
          return false;
        }
      },
      { error: "must be a JSON Pointer such as /review/approved" },
    )
    .optional(),
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  options: z.array(z.unknown()).min(1).optional(),
});

/** The pause metadata: what `x-asya-pause` carries and the gateway validates a resume against. */
export const pauseMetadataSchema = z.object({
  prompt: z.string().default("Input required"),
  fields: z.array(pauseFieldSchema).default([]),
  /** Seconds until an unanswered pause ends the task `failed` ("pause expired"). */
  timeout_s: z.number().positive().optional(),
});

export type PauseField = z.output<typeof pauseFieldSchema>;
export type PauseMetadata = z.output<typeof pauseMetadataSchema>;

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

/**
 * Checks a human's input against the pause fields: an object; each required field present; each
 * present field of its type and, with `options`, one of them. `undefined` when valid, else what is
 * wrong, naming the field (`approved: expected boolean, got string`).
 */
export function checkResumeInput(metadata: PauseMetadata, input: unknown): string | undefined {
  if (metadata.fields.length === 0) return undefined;
  if (input === null || typeof input !== "object" || Array.isArray(input))
    return `the input must be a JSON object with the fields ${metadata.fields.map((f) => f.name).join(", ")}`;
  const record = input as Record<string, unknown>;
  for (const field of metadata.fields) {
    const value = record[field.name];
    if (value === undefined) {
      if (field.required === true && field.default === undefined) return `${field.name}: required`;
      continue;
    }
    if (typeOf(value) !== field.type) return `${field.name}: expected ${field.type}, got ${typeOf(value)}`;
    if (
      field.options !== undefined &&
      !field.options.some((option) => JSON.stringify(option) === JSON.stringify(value))
    )
      return `${field.name}: must be one of ${field.options.map((o) => JSON.stringify(o)).join(", ")}`;
  }
  return undefined;
}

/** How the input is merged when the pause has no fields. */
export type ResumeMergeMode = "shallow" | "deep";

function deepMerge(base: unknown, patch: unknown): unknown {
  if (
    base === null ||
    patch === null ||
    typeof base !== "object" ||
    typeof patch !== "object" ||
    Array.isArray(base) ||
    Array.isArray(patch)
  )
    return patch;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    merged[key] = deepMerge(merged[key], value);
  }
  return merged;
}

/**
 * The payload after a resume: each field's answer (or its default) at its `payload_key`
 * (`/<name>` by default); with no fields, the input merged into an object payload (`shallow`:
 * top-level keys replaced; `deep`: objects merged recursively), or the input itself otherwise.
 */
export function mergeResumeInput(
  payload: unknown,
  input: unknown,
  metadata: PauseMetadata,
  mode: ResumeMergeMode = "shallow",
): unknown {
  if (metadata.fields.length === 0) {
    const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isObject(payload) || !isObject(input)) return input ?? payload;
    return mode === "deep"
      ? deepMerge(payload, input)
      : { ...(payload as Record<string, unknown>), ...(input as Record<string, unknown>) };
  }
  const record = (input ?? {}) as Record<string, unknown>;
  let merged = payload;
  for (const field of metadata.fields) {
    const value = record[field.name] ?? field.default;
    if (value === undefined) continue;
    merged = setAtPointer(
      merged,
      field.payload_key ?? `/${field.name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
      value,
    );
  }
  return merged;
}
