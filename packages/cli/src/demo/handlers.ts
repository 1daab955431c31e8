/**
 * Demo handlers: plain functions and generators with no runtime import, so they run unchanged on
 * any transport (`ASYA_HANDLER=@asya/cli/demo#enrich`, see the README).
 */
import type { HandlerContext } from "@asya/runtime";

/** A document entering the pipeline. */
export interface DocInput {
  readonly doc: string;
  readonly text: string;
  /** Simulate a flaky downstream service: enrich fails on its first attempt. */
  readonly flaky?: boolean;
}

/** One sentence after `enrich`. */
export interface Sentence {
  readonly doc: string;
  readonly index: number;
  readonly sentence: string;
  readonly words: number;
  readonly flaky?: boolean;
}

/** A judged sentence. */
export interface Judged extends Sentence {
  readonly verdict: "ok" | "needs-review" | "approved-after-review";
  readonly confidence: number;
}

/** Input that can never be processed (thrown by `clean`). */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
}

/** A failure worth retrying (the demo's rules retry this class and its subclasses). */
export class TransientError extends Error {
  override name = "TransientError";
}

/** The flaky enrichment service was unavailable. */
export class ServiceUnavailableError extends TransientError {
  override name = "ServiceUnavailableError";
}

/** The (pretend) LLM judge refused the input. Retried, then it lands in x-sump. */
export class ModelRefusalError extends TransientError {
  override name = "ModelRefusalError";
}

/** Splits text into trimmed sentences. */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== "");
}

/** `clean`: validates and normalises whitespace (a plain sync function). */
export function clean(payload: DocInput): DocInput {
  if (typeof payload?.text !== "string" || payload.text.trim() === "") {
    throw new ValidationError("text must be a non-empty string");
  }
  return { ...payload, text: payload.text.replace(/\s+/g, " ").trim() };
}

/**
 * `enrich`: fans out one envelope per sentence (an async generator using the control protocol).
 * With `flaky: true`, it fails on its first attempt, like a rate-limited upstream API.
 */
export async function* enrich(payload: DocInput): AsyncGenerator<unknown, void, unknown> {
  const attempt = (yield ["GET", ".status.attempt"]) as number | undefined;
  if (payload.flaky === true && (attempt ?? 1) < 2) {
    throw new ServiceUnavailableError("enrichment API answered 503");
  }
  const sentences = splitSentences(payload.text);
  yield ["SET", ".headers.sentences", sentences.length];
  for (const [index, sentence] of sentences.entries()) {
    yield ["FLY", { doc: payload.doc, progress: `${index + 1}/${sentences.length}` }];
    yield { doc: payload.doc, index, sentence, words: sentence.split(" ").length } satisfies Sentence;
  }
}

const HEDGES = /\b(maybe|perhaps|might|possibly|unclear|rumou?r)\b/i;

/**
 * `judge`: an LLM-judge stand-in using the typed context. Low confidence rewrites `next` so the
 * sentence visits `review` before the sink.
 */
export async function judge(payload: Sentence, ctx: HandlerContext): Promise<Judged> {
  if (/ignore (all )?previous instructions/i.test(payload.sentence)) {
    throw new ModelRefusalError("judge refused a prompt-injection attempt");
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  ctx.signal.throwIfAborted();
  let confidence = 0.95 - Math.min(0.3, payload.words / 100);
  if (HEDGES.test(payload.sentence) || payload.sentence.endsWith("?")) confidence -= 0.4;
  confidence = Math.round(confidence * 100) / 100;
  if (confidence < 0.6) {
    ctx.route.next = ["review", ...ctx.route.next];
    return { ...payload, verdict: "needs-review", confidence };
  }
  return { ...payload, verdict: "ok", confidence };
}

/** `review`: the human-review stand-in. */
export function review(payload: Judged): Judged {
  return { ...payload, verdict: "approved-after-review" };
}

/** Resiliency used by the demo actors (same shape as an AsyncActor's `resiliency`). */
export const demoResiliency = {
  actorTimeout: "10s",
  policies: {
    transient: {
      maxAttempts: 3,
      backoff: "exponential",
      initialDelay: "40ms",
      maxInterval: "1s",
      jitter: true,
    },
  },
  rules: [{ errors: ["TransientError"], policy: "transient" }],
} as const;
