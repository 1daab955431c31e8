import type { AgentCard } from "@a2a-js/sdk";
import { agentSkills, type Registry } from "../registry.js";

/** What the card says about the gateway besides the registry. */
export interface CardContext {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** The JSON-RPC endpoint's absolute URL. */
  readonly endpoint: string;
  readonly bearer: boolean;
}

const INPUT_MODES = ["text/plain", "application/json"];
const OUTPUT_MODES = ["application/json", "text/plain"];

function skillsOf(registry: Registry) {
  return registry.agents.flatMap((agent) =>
    agentSkills(agent).map((skill) => ({
      ...skill,
      description: skill.description || agent.description || "",
      examples: skill.examples ?? [],
      inputModes: skill.inputModes ?? INPUT_MODES,
      outputModes: skill.outputModes ?? OUTPUT_MODES,
    })),
  );
}

const streams = (registry: Registry) => registry.agents.some((agent) => agent.streaming);

/**
 * The card as the SDK's request handler needs it (protocol 1.0 types): one agent for the whole
 * gateway whose skills are the union of the registry's agents' skills.
 */
export function agentCard(registry: Registry, context: CardContext): AgentCard {
  return {
    name: context.name,
    description: context.description,
    supportedInterfaces: [
      { url: context.endpoint, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    ],
    provider: undefined,
    version: context.version,
    capabilities: {
      streaming: streams(registry),
      pushNotifications: false,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: INPUT_MODES,
    defaultOutputModes: OUTPUT_MODES,
    skills: skillsOf(registry).map((skill) => ({ ...skill, securityRequirements: [] })),
    signatures: [],
  } as AgentCard;
}

/** The card's JSON for a protocol 1.0 client (`A2A-Version: 1.0`). */
export function agentCardJson(registry: Registry, context: CardContext): Record<string, unknown> {
  const {
    securitySchemes: _s,
    securityRequirements: _r,
    signatures: _g,
    provider: _p,
    ...card
  } = agentCard(registry, context);
  return {
    ...card,
    ...(context.bearer
      ? {
          securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: "Bearer", description: "" } } },
          securityRequirements: [{ schemes: { bearer: { list: [] } } }],
        }
      : {}),
  };
}

/**
 * The card for a client of protocol 0.3 (no `A2A-Version`, or `0.3`): 0.3's top-level `url`,
 * `preferredTransport` and `protocolVersion`, with the 1.0 `supportedInterfaces` kept, as the
 * SDK's compatibility layer does.
 */
export function legacyAgentCardJson(registry: Registry, context: CardContext): Record<string, unknown> {
  return {
    protocolVersion: "0.3.0",
    name: context.name,
    description: context.description,
    url: context.endpoint,
    preferredTransport: "JSONRPC",
    additionalInterfaces: [{ url: context.endpoint, transport: "JSONRPC" }],
    version: context.version,
    capabilities: { streaming: streams(registry), pushNotifications: false, stateTransitionHistory: false },
    defaultInputModes: INPUT_MODES,
    defaultOutputModes: OUTPUT_MODES,
    skills: skillsOf(registry),
    supportsAuthenticatedExtendedCard: false,
    ...(context.bearer
      ? { securitySchemes: { bearer: { type: "http", scheme: "bearer" } }, security: [{ bearer: [] }] }
      : {}),
    supportedInterfaces: [
      { url: context.endpoint, protocolBinding: "JSONRPC", tenant: "", protocolVersion: "1.0" },
    ],
  };
}
