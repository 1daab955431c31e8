import type { Message, Part } from "@a2a-js/sdk";

/**
 * An A2A message as a task payload (GATEWAY.md section 4): one data part holding an object gives
 * its fields; otherwise data parts are merged, text parts joined with `\n` into `query`, and file
 * parts listed under `files`; always with `a2a: {task_id, context_id}`.
 */
export function messagePayload(message: Message, taskId: string, contextId: string): Record<string, unknown> {
  const a2a = { task_id: taskId, context_id: contextId };
  const parts = message.parts;
  const only = parts.length === 1 ? parts[0]?.content : undefined;
  if (only?.$case === "data") return { ...asFields(only.value), a2a };
  const texts: string[] = [];
  const files: Record<string, unknown>[] = [];
  let fields: Record<string, unknown> = {};
  for (const part of parts) {
    const content = part.content;
    if (content === undefined) continue;
    if (content.$case === "text") texts.push(content.value);
    else if (content.$case === "data") fields = { ...fields, ...asFields(content.value) };
    else files.push(fileOf(part, content));
  }
  return {
    ...fields,
    ...(texts.length === 0 ? {} : { query: texts.join("\n") }),
    ...(files.length === 0 ? {} : { files }),
    a2a,
  };
}

function asFields(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : { data: value };
}

function fileOf(
  part: Part,
  content: { $case: "raw"; value: Buffer } | { $case: "url"; value: string },
): Record<string, unknown> {
  return {
    ...(content.$case === "url"
      ? { url: content.value }
      : { bytes: Buffer.from(content.value).toString("base64") }),
    ...(part.filename === "" ? {} : { filename: part.filename }),
    ...(part.mediaType === "" ? {} : { media_type: part.mediaType }),
  };
}

/** A part holding `value`: text for a string, data for anything else. */
export function partOf(value: unknown): Part {
  return typeof value === "string"
    ? { content: { $case: "text", value }, metadata: undefined, filename: "", mediaType: "text/plain" }
    : { content: { $case: "data", value }, metadata: undefined, filename: "", mediaType: "application/json" };
}
