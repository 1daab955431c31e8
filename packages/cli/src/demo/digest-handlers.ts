/**
 * The demo's second act, "agentic patterns": a long document is split into chunks enriched in
 * parallel and joined again (fan-in), then a human approves the digest (pause and resume). Like the
 * first act's handlers these load unchanged in `asya run` (`ASYA_HANDLER=@asya/cli/demo#chunk`).
 */
import type { HandlerContext } from "@asya/runtime";
import { fanOutJoin, pauseNext } from "@asya/runtime/crew";
import { splitSentences } from "./handlers.js";

/** A document for the digest pipeline. */
export interface DigestInput {
  readonly doc: string;
  readonly text: string;
}

/** One enriched chunk. */
export interface ChunkSummary {
  readonly chunk: number;
  readonly words: number;
  readonly longest: string;
}

/** The aggregator that joins the chunks (`ASYA_ACTOR_NAME=join-chunks asya run --crew fan-in`). */
export const DIGEST_AGGREGATOR = "join-chunks";

/** `chunk`: two sentences per chunk, each through `enrich-chunk`, joined into `/chunks` at `join-chunks`. */
export async function* chunk(
  payload: DigestInput,
  ctx: HandlerContext,
): AsyncGenerator<unknown, void, unknown> {
  const sentences = splitSentences(payload.text);
  const chunks = Array.from({ length: Math.ceil(sentences.length / 2) }, (_, i) => ({
    chunk: i,
    text: sentences.slice(i * 2, i * 2 + 2).join(" "),
  }));
  yield* fanOutJoin(ctx, chunks, { via: ["enrich-chunk"], aggregator: DIGEST_AGGREGATOR, into: "/chunks" });
}

/** `enrich-chunk`: a word count and the longest word (an embedding or an LLM call in real life). */
export async function enrichChunk(payload: { chunk: number; text: string }): Promise<ChunkSummary> {
  const words = payload.text.split(/\s+/).filter((w) => w !== "");
  await new Promise((resolve) => setTimeout(resolve, 5 * (3 - (payload.chunk % 3))));
  const longest = words.reduce(
    (a, b) => (b.replace(/\W/g, "").length > a.length ? b.replace(/\W/g, "") : a),
    "",
  );
  return { chunk: payload.chunk, words: words.length, longest };
}

/** `approve`: the digest waits for a human (x-pause); the answer arrives merged (x-resume). */
export async function* approve(
  payload: DigestInput & { chunks: ChunkSummary[] },
): AsyncGenerator<unknown, void, unknown> {
  yield* pauseNext({
    prompt: `Publish the digest of ${payload.doc} (${payload.chunks.length} chunks)?`,
    fields: [
      { name: "approved", type: "boolean", required: true },
      { name: "editor", type: "string", prompt: "who approved it" },
    ],
  });
  yield {
    doc: payload.doc,
    words: payload.chunks.reduce((sum, c) => sum + c.words, 0),
    keywords: payload.chunks.map((c) => c.longest),
  };
}

/** `publish`: what the human decided. */
export function publish(payload: { doc: string; approved: boolean; editor?: string }): unknown {
  return { ...payload, status: payload.approved ? "published" : "rejected" };
}
