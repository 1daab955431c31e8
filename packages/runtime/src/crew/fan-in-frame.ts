import { HEADER_FAN_IN, parsePointer } from "@asya/envelope";
import { z } from "zod";

/** Largest `slice_count` an aggregator accepts (a guard against a header that would never complete). */
export const MAX_FAN_IN_SLICES = 10_000;

/** `x-asya-fan-in` (GATEWAY.md section 6), as every frame of a fan-out bound for an aggregator carries it. */
export const fanInHeaderSchema = z
  .object({
    actor: z.string().min(1),
    origin_id: z.string().min(1).max(400),
    slice_index: z.number().int().min(0),
    slice_count: z.number().int().min(1).max(MAX_FAN_IN_SLICES),
    aggregation_key: z.string().refine(
      (pointer) => {
        try {
          parsePointer(pointer);
          return pointer !== "";
        } catch {
          return false;
        }
      },
      { error: 'must be a JSON Pointer such as "/results"' },
    ),
  })
  .refine((header) => header.slice_index < header.slice_count, {
    error: "slice_index must be below slice_count",
    path: ["slice_index"],
  });

/** A parsed `x-asya-fan-in` header. */
export type FanInHeader = z.output<typeof fanInHeaderSchema>;

/** The header of `headers` as a frame, or what is wrong with it (naming the field). */
export function readFanInHeader(
  headers: Readonly<Record<string, unknown>> | undefined,
): { ok: true; header: FanInHeader } | { ok: false; message: string } {
  const raw = headers?.[HEADER_FAN_IN];
  if (raw === undefined) return { ok: false, message: `no ${HEADER_FAN_IN} header: not a fan-in frame` };
  const parsed = fanInHeaderSchema.safeParse(raw);
  if (parsed.success) return { ok: true, header: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    message: `invalid ${HEADER_FAN_IN}: ${issue?.path.join(".") || "header"}: ${issue?.message}`,
  };
}
