import { mergeResumeInput, type PauseMetadata } from "@asya/envelope";
import type { PauseRequest } from "@asya/runtime/crew";

/** What a flow passes to {@link pause}: the prompt and the fields a human answers (GATEWAY.md section 5). */
export type { PauseRequest };

/** One field a human answers at a pause. */
export type PauseField = NonNullable<PauseRequest["fields"]>[number];

/** Answers a pause when a flow runs as a plain function (tests, scripts). */
export type PauseResponder = (request: PauseRequest, state: unknown) => unknown | Promise<unknown>;

let responder: PauseResponder | undefined;

/**
 * Sets who answers {@link pause} when a flow is called directly (not compiled); `undefined` removes
 * it. Compiled flows pause through `x-pause` / `x-resume` and are answered over the gateway.
 */
export function setPauseResponder(next: PauseResponder | undefined): void {
  responder = next;
}

/**
 * Waits for a human (GATEWAY.md section 5). Compiled, the task routes through `x-pause` and resumes
 * when someone answers; the answer is merged into the state (each field at its `payload_key`, or a
 * shallow merge without fields), exactly as `x-resume` merges it. Called directly, the responder set
 * with {@link setPauseResponder} answers, and the same merge is applied to `state` in place.
 * @example
 * p = await pause(p, { prompt: "Approve?", fields: [{ name: "approved", type: "boolean", required: true }] });
 */
export async function pause<T>(state: T, request: PauseRequest): Promise<T>;
/** The form without the state: compiled flows merge the answer into the state; a direct call returns the answer. */
export async function pause(request: PauseRequest): Promise<unknown>;
export async function pause(first: unknown, second?: PauseRequest): Promise<unknown> {
  const withState = second !== undefined;
  const request = (withState ? second : first) as PauseRequest;
  if (responder === undefined) {
    throw new Error(
      "[asya:flow] pause() was called outside a compiled flow and no responder is set: call setPauseResponder(fn) first",
    );
  }
  const state = withState ? first : undefined;
  const answer = await responder(request, state);
  if (!withState) return answer;
  const metadata = { prompt: request.prompt, fields: [...(request.fields ?? [])] } as PauseMetadata;
  const merged = mergeResumeInput(structuredClone(state), answer, metadata);
  // The state object keeps its identity (a caller holding it sees the answer), as after a resume.
  if (isRecord(state) && isRecord(merged)) {
    for (const key of Object.keys(state)) if (!(key in merged)) delete state[key];
    Object.assign(state, merged);
    return state;
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
