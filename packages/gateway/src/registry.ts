import { readFile } from "node:fs/promises";
import { actorNameSchema } from "@asya/envelope";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { GatewayError } from "./gateway-error.js";

const actor = actorNameSchema.max(63);

/** One tool: an entry `actor`, or (beyond Asya) a static `route` written into the new envelope. */
const toolSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "tool names are 1-64 of A-Z a-z 0-9 _ . -" }),
    description: z.string().optional(),
    actor: actor.optional(),
    route: z.array(actor).min(1).optional(),
    timeout: z.number().positive().optional(),
    progress: z.boolean().optional(),
    inputSchema: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((tool) => (tool.actor === undefined) !== (tool.route === undefined), {
    error: "set exactly one of actor and route",
  });

const agentSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  actor,
  streaming: z.boolean().optional(),
  skills: z.array(z.record(z.string(), z.unknown())).optional(),
});

/** The registry file (GATEWAY.md section 4). */
export const registrySchema = z.object({
  tools: z.array(toolSchema).default([]),
  agents: z.array(agentSchema).default([]),
});

/** A parsed registry. */
export type Registry = z.output<typeof registrySchema>;
/** One registered tool. */
export type RegisteredTool = Registry["tools"][number];

/** The route a tool starts: its static route, or its entry actor alone. */
export function toolRoute(tool: RegisteredTool): readonly string[] {
  return tool.route ?? [tool.actor as string];
}

/** Every actor a task may be created for: the first actor of each tool's route and each agent's actor. */
export function entryActors(registry: Registry): Set<string> {
  return new Set([
    ...registry.tools.map((tool) => toolRoute(tool)[0] as string),
    ...registry.agents.map((a) => a.actor),
  ]);
}

/**
 * Parses registry YAML.
 * @throws GatewayError `INVALID_CONFIG` naming the first bad field (`tools[0].route`).
 */
export function parseRegistry(text: string, source = "registry"): Registry {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new GatewayError(`${source}: not YAML: ${(error as Error).message}`, {
      code: "INVALID_CONFIG",
      field: source,
      cause: error,
    });
  }
  const parsed = registrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = (issue?.path ?? [])
      .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
      .join("");
    throw new GatewayError(`${source}${where}: ${issue?.message ?? "invalid"}`, {
      code: "INVALID_CONFIG",
      field: source,
    });
  }
  const names = new Set<string>();
  for (const tool of parsed.data.tools) {
    if (names.has(tool.name))
      throw new GatewayError(`${source}: tool ${tool.name} is listed twice`, {
        code: "INVALID_CONFIG",
        field: source,
      });
    names.add(tool.name);
  }
  return parsed.data;
}

/** A registry file that is read again when it changes; a bad new version keeps the previous one. */
export interface RegistryFile {
  current(): Registry;
  close(): void;
}

/**
 * Loads `path` and re-reads it every `pollMs` (hot reload). The first load must succeed; a later bad
 * file is reported through `onError` and the previous registry stays.
 * @throws GatewayError `INVALID_CONFIG` when the file cannot be read or parsed at start.
 */
export async function watchRegistryFile(
  path: string,
  onError: (error: Error) => void,
  pollMs = 2_000,
): Promise<RegistryFile> {
  const read = async () => {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      throw new GatewayError(`registry ${path}: ${(error as Error).message}`, {
        code: "INVALID_CONFIG",
        field: "registry",
        cause: error,
      });
    }
    return { text, registry: parseRegistry(text, `registry ${path}`) };
  };
  let { text: lastText, registry } = await read();
  let lastError = "";
  const timer = setInterval(() => {
    read().then(
      (next) => {
        lastError = "";
        if (next.text !== lastText) {
          lastText = next.text;
          registry = next.registry;
        }
      },
      (error: Error) => {
        // Once per distinct problem, not every poll.
        if (error.message !== lastError) onError(error);
        lastError = error.message;
      },
    );
  }, pollMs);
  timer.unref();
  return { current: () => registry, close: () => clearInterval(timer) };
}
