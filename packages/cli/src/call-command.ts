import { RuntimeConfigError } from "@asya/runtime";
import { type CliIo, progressBar } from "./cli-io.js";

type Env = Readonly<Record<string, string | undefined>>;

/** Where the gateway's API is and how to authenticate. */
export interface GatewayClientConfig {
  /** The API base, prefix included: `http://127.0.0.1:8080/api/v1`. */
  readonly api: string;
  readonly apiKey: string | undefined;
}

/**
 * The API base from `--gateway URL` or `ASYA_GATEWAY_API_URL` (default `http://127.0.0.1:8080`); a
 * URL without a path gets `ASYA_GATEWAY_PREFIX` (default `/api/v1`). Token: `ASYA_GATEWAY_API_KEY`.
 * @throws RuntimeConfigError naming the flag or variable.
 */
export function gatewayClientConfig(env: Env, flag: string | undefined): GatewayClientConfig {
  const raw = flag ?? env.ASYA_GATEWAY_API_URL?.trim() ?? "http://127.0.0.1:8080";
  const field = flag === undefined ? "ASYA_GATEWAY_API_URL" : "--gateway";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RuntimeConfigError(`${field}: not a URL: ${JSON.stringify(raw)}`, {
      code: "INVALID_CONFIG",
      field,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RuntimeConfigError(`${field}: must be http(s)`, { code: "INVALID_CONFIG", field });
  }
  const path = url.pathname.replace(/\/+$/, "");
  const prefix = (env.ASYA_GATEWAY_PREFIX?.trim() ?? "/api/v1").replace(/\/+$/, "");
  const key = env.ASYA_GATEWAY_API_KEY?.trim();
  return { api: `${url.origin}${path === "" ? prefix : path}`, apiKey: key === "" ? undefined : key };
}

const headersOf = (config: GatewayClientConfig, extra: Record<string, string> = {}) => ({
  ...extra,
  ...(config.apiKey === undefined ? {} : { authorization: `Bearer ${config.apiKey}` }),
});

/** A non-2xx answer: the gateway's JSON error message, or the status line. */
async function failure(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message !== undefined) return `${response.status}: ${body.error.message}`;
  } catch {
    // not JSON
  }
  return `${response.status} ${response.statusText}`;
}

/** Creates a task for a registered tool `name`, or (when no such tool) for the actor `name`. */
export async function createTask(
  config: GatewayClientConfig,
  name: string,
  payload: unknown,
): Promise<string> {
  const body = JSON.stringify({ payload });
  const headers = headersOf(config, { "content-type": "application/json" });
  let response = await fetch(`${config.api}/mesh?tool=${encodeURIComponent(name)}`, {
    method: "POST",
    headers,
    body,
  });
  if (response.status === 404) {
    await response.body?.cancel();
    response = await fetch(`${config.api}/mesh?actor=${encodeURIComponent(name)}`, {
      method: "POST",
      headers,
      body,
    });
  }
  if (!response.ok) throw new Error(`could not create the task: ${await failure(response)}`);
  return ((await response.json()) as { id: string }).id;
}

/** One SSE event. */
interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** Reads `text/event-stream` events from a response body. */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.search(/\r?\n\r?\n/);
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      let event = "message";
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
      end = buffer.search(/\r?\n\r?\n/);
    }
  }
}

/** The task's SSE stream from its first event on (a finished task still replays its FLY events). */
async function openEvents(
  config: GatewayClientConfig,
  id: string,
  signal?: AbortSignal,
): Promise<ReadableStream<Uint8Array>> {
  const response = await fetch(`${config.api}/mesh/${encodeURIComponent(id)}/events`, {
    headers: headersOf(config, { accept: "text/event-stream", "last-event-id": "0" }),
    ...(signal === undefined ? {} : { signal }),
  });
  if (!response.ok || response.body === null) {
    throw new Error(`could not watch task ${id}: ${await failure(response)}`);
  }
  return response.body;
}

const FINAL_STATUSES = new Set(["succeeded", "failed", "canceled"]);

/** Follows a task's SSE stream quietly to its final status (`"stream ended"` if it closes first). */
export async function finalStatusOf(config: GatewayClientConfig, id: string): Promise<string> {
  const body = await openEvents(config, id);
  for await (const event of sseEvents(body)) {
    const status =
      event.event === "status" ? (JSON.parse(event.data) as { status?: string }).status : undefined;
    if (status !== undefined && FINAL_STATUSES.has(status)) {
      await body.cancel().catch(() => undefined);
      return status;
    }
  }
  return "stream ended";
}

/**
 * Follows a task live: a progress bar on stderr from status events, FLY text on stdout as it
 * arrives, and the result (or error) at the end. Returns the exit code: 0 succeeded, 1 otherwise.
 */
export async function watchTask(config: GatewayClientConfig, id: string, io: CliIo): Promise<number> {
  const controller = new AbortController();
  void io.shutdownSignal?.then(() => controller.abort());
  const body = await openEvents(config, id, controller.signal);
  const tty = io.stderr.isTTY === true;
  let lastBar = "";
  let flyOpen = false;
  try {
    for await (const event of sseEvents(body)) {
      const data = JSON.parse(event.data) as Record<string, unknown>;
      if (event.event === "fly") {
        const text =
          typeof data === "string"
            ? data
            : typeof data.text === "string"
              ? data.text
              : typeof data.tokens === "string"
                ? data.tokens
                : undefined;
        io.stdout.write(text ?? `${JSON.stringify(data)}\n`);
        flyOpen = text !== undefined;
        continue;
      }
      const status = String(data.status);
      const progress = typeof data.progress === "number" ? data.progress : 0;
      const bar = `${progressBar(Math.round(progress), 100)} ${status}${typeof data.actor === "string" ? ` (${data.actor})` : ""}`;
      if (bar !== lastBar) {
        io.stderr.write(tty ? `\r${bar}` : `${bar}\n`);
        lastBar = bar;
        if (status === "paused") {
          // A human is asked: say what and how to answer; the watch goes on until the task ends.
          const pause = (data.pause ?? {}) as {
            prompt?: unknown;
            fields?: Array<{ name?: unknown; type?: unknown }>;
          };
          const fields = (pause.fields ?? []).map((f) => `${String(f.name)} (${String(f.type)})`).join(", ");
          io.stderr.write(
            `${tty ? "\n" : ""}paused: ${String(pause.prompt ?? "input required")}${fields === "" ? "" : ` - fields: ${fields}`}\n` +
              `answer with: asya task resume ${id} --input '{...}'\n`,
          );
        }
      }
      if (FINAL_STATUSES.has(status)) {
        if (tty) io.stderr.write("\n");
        if (flyOpen) io.stdout.write("\n");
        if (status === "succeeded") {
          io.stdout.write(`${JSON.stringify(data.result ?? null)}\n`);
          io.stderr.write(`task ${id} succeeded\n`);
          return 0;
        }
        io.stderr.write(
          `task ${id} ${status}${data.error === undefined ? "" : `: ${JSON.stringify(data.error)}`}\n`,
        );
        return 1;
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  io.stderr.write(`\nstopped watching task ${id} (still running at the gateway)\n`);
  return 1;
}

/** `asya task get|cancel|list`: one request, JSON on stdout. */
export async function taskRequest(
  config: GatewayClientConfig,
  action: "get" | "cancel" | "list",
  argument: string | undefined,
  query: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const url =
    action === "list"
      ? `${config.api}/mesh${params.size > 0 ? `?${params}` : ""}`
      : `${config.api}/mesh/${encodeURIComponent(argument ?? "")}`;
  const response = await fetch(url, {
    method: action === "cancel" ? "DELETE" : "GET",
    headers: headersOf(config),
  });
  if (!response.ok) {
    io.stderr.write(`[asya:cli] ${await failure(response)}\n`);
    return 1;
  }
  if (action === "cancel") {
    io.stderr.write(`task ${argument} canceled\n`);
    return 0;
  }
  io.stdout.write(`${JSON.stringify(await response.json(), null, 2)}\n`);
  return 0;
}

/**
 * `asya task resume <id> --input JSON`: answers a paused task (`POST {prefix}/mesh/{id}/resume`).
 * A wrong answer is the gateway's 400 naming the field; a task that is not paused, its 409.
 */
export async function resumeTask(
  config: GatewayClientConfig,
  id: string,
  input: string,
  io: CliIo,
): Promise<number> {
  let body: unknown;
  try {
    body = JSON.parse(input);
  } catch (error) {
    io.stderr.write(`[asya:cli] --input: not JSON: ${(error as Error).message}\n`);
    return 2;
  }
  const response = await fetch(`${config.api}/mesh/${encodeURIComponent(id)}/resume`, {
    method: "POST",
    headers: headersOf(config, { "content-type": "application/json" }),
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    io.stderr.write(`[asya:cli] ${await failure(response)}\n`);
    return 1;
  }
  io.stderr.write(`task ${id} resumed\n`);
  return 0;
}
