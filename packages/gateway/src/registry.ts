import { readFile } from "node:fs/promises";
import { actorNameSchema } from "@asya/envelope";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { GatewayError } from "./gateway-error.js";
import { compileInputSchema, describeSchemaError } from "./tool-input.js";

const actor = actorNameSchema.max(63);
const entryName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: "names are 1-64 of A-Z a-z 0-9 _ . -" });

/** A JSON Schema for a tool's arguments: an object schema (MCP requires `type: "object"`). */
const inputSchema = z
  .record(z.string(), z.unknown())
  .refine((schema) => schema.type === "object", { error: 'an MCP inputSchema must have type: "object"' })
  .superRefine((schema, ctx) => {
    try {
      compileInputSchema(schema);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `not a valid JSON Schema: ${(error as Error).message}` });
    }
  });

/** What tools and agents share: an entry `actor`, or (beyond Asya) a static `route`, and a timeout. */
const entryFields = {
  name: entryName,
  description: z.string().optional(),
  actor: actor.optional(),
  route: z.array(actor).min(1).optional(),
  /** Seconds; becomes `deadline_at`. */
  timeout: z.number().positive().optional(),
};
const oneEntry = { error: "set exactly one of actor and route", path: ["actor"] };
const exactlyOne = (entry: { actor?: string | undefined; route?: string[] | undefined }) =>
  (entry.actor === undefined) !== (entry.route === undefined);

const toolSchema = z
  .object({
    ...entryFields,
    title: z.string().optional(),
    /** Stream progress and FLY to the MCP client. @default true */
    progress: z.boolean().default(true),
    inputSchema: inputSchema.optional(),
  })
  .refine(exactlyOne, oneEntry);

const skillSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().default(""),
  tags: z.array(z.string()).default([]),
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});

const agentSchema = z
  .object({
    ...entryFields,
    /** FLY events become `fly-stream` artifact updates. @default true */
    streaming: z.boolean().default(true),
    /** The agent's skills on the card; one named after the agent when none are given. */
    skills: z.array(skillSchema).optional(),
  })
  .refine(exactlyOne, oneEntry);

/** The registry file (GATEWAY.md section 4). */
export const registrySchema = z.object({
  tools: z.array(toolSchema).default([]),
  agents: z.array(agentSchema).default([]),
});

/** A parsed registry. */
export interface Registry {
  readonly tools: readonly RegisteredTool[];
  readonly agents: readonly RegisteredAgent[];
}
/** One registered tool; `input` is the zod schema of a tool made by {@link defineTool}. */
export type RegisteredTool = Readonly<z.output<typeof toolSchema>> & { readonly input?: z.ZodType };
/** One registered agent. */
export type RegisteredAgent = Readonly<z.output<typeof agentSchema>>;
/** One A2A skill. */
export type AgentSkillEntry = z.output<typeof skillSchema>;

/** The route a tool or agent starts: its static route, or its entry actor alone. */
export function toolRoute(entry: {
  readonly actor?: string | undefined;
  readonly route?: readonly string[] | undefined;
}): readonly string[] {
  return entry.route ?? [entry.actor as string];
}

/** An agent's skills: the listed ones, or one named after the agent. */
export function agentSkills(agent: RegisteredAgent): readonly AgentSkillEntry[] {
  return (
    agent.skills ?? [{ id: agent.name, name: agent.name, description: agent.description ?? "", tags: [] }]
  );
}

/** Every actor a task may be created for: the first actor of each tool's and agent's route. */
export function entryActors(registry: Registry): Set<string> {
  return new Set([...registry.tools, ...registry.agents].map((entry) => toolRoute(entry)[0] as string));
}

/** Checks a tool's arguments against its schema: `undefined` when valid, else what is wrong. */
export function checkToolArguments(tool: RegisteredTool, args: unknown): string | undefined {
  if (tool.input !== undefined) {
    const parsed = tool.input.safeParse(args);
    if (parsed.success) return undefined;
    const issue = parsed.error.issues[0];
    return `arguments${formatPath(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`;
  }
  if (tool.inputSchema === undefined) return undefined;
  const validate = compileInputSchema(tool.inputSchema);
  return validate(args) ? undefined : describeSchemaError(validate.errors?.[0]);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("");
}

function invalid(message: string, source: string, cause?: unknown): GatewayError {
  return new GatewayError(message, { code: "INVALID_CONFIG", field: source, cause });
}

/**
 * Parses registry YAML.
 * @throws GatewayError `INVALID_CONFIG` naming the file, the entry and the field
 *   (`registry r.yaml: tools[0] (summarize).route[0]: ...`).
 */
export function parseRegistry(text: string, source = "registry"): Registry {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw invalid(`${source}: not YAML: ${(error as Error).message}`, source, error);
  }
  const parsed = registrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const [list, index, ...rest] = path;
    const name =
      typeof list === "string" && typeof index === "number"
        ? (raw as Record<string, { name?: unknown }[] | undefined>)[list]?.[index]?.name
        : undefined;
    const where =
      typeof name === "string"
        ? `${formatPath([list as string, index as number]).slice(1)} (${name})${formatPath(rest)}`
        : formatPath(path).slice(1);
    throw invalid(`${source}: ${where === "" ? "" : `${where}: `}${issue?.message ?? "invalid"}`, source);
  }
  for (const list of ["tools", "agents"] as const) {
    const names = new Set<string>();
    for (const entry of parsed.data[list]) {
      if (names.has(entry.name)) throw invalid(`${source}: ${list}: ${entry.name} is listed twice`, source);
      names.add(entry.name);
    }
  }
  const skills = new Set<string>();
  for (const agent of parsed.data.agents) {
    for (const skill of agentSkills(agent)) {
      if (skills.has(skill.id))
        throw invalid(
          `${source}: agents (${agent.name}): skill id ${skill.id} is used by two agents`,
          source,
        );
      skills.add(skill.id);
    }
  }
  return parsed.data;
}

/** A tool defined in TypeScript: its arguments described by a zod schema instead of JSON Schema. */
export interface ToolDefinition<Input extends z.ZodType> {
  readonly name: string;
  readonly description?: string;
  readonly title?: string;
  readonly actor?: string;
  readonly route?: readonly string[];
  /** Seconds. */
  readonly timeout?: number;
  /** @default true */
  readonly progress?: boolean;
  readonly input: Input;
}

/**
 * A registry tool from a zod schema: `tools/list` shows its JSON Schema (`z.toJSONSchema`) and
 * `tools/call` validates arguments with zod itself.
 * @throws GatewayError `INVALID_CONFIG` naming the field.
 * @example
 * const summarize = defineTool({ name: "summarize", route: ["clean", "summarize"], input: z.object({ text: z.string() }) });
 * await createGateway({ transport, registry: () => ({ tools: [summarize], agents: [] }) });
 */
export function defineTool<Input extends z.ZodType>(definition: ToolDefinition<Input>): RegisteredTool {
  const { input, ...fields } = definition;
  const jsonSchema = z.toJSONSchema(input, { io: "input" }) as Record<string, unknown>;
  const source = `defineTool(${definition.name})`;
  const parsed = toolSchema.safeParse({ ...fields, inputSchema: jsonSchema });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${source}${formatPath(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`, source);
  }
  return { ...parsed.data, input };
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
      throw invalid(`registry ${path}: ${(error as Error).message}`, "registry", error);
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
