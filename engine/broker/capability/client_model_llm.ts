/**
 * `llm` answered by the MCP client's model: when it serves a call, how the
 * `llm` parameters become a `sampling/createMessage` request (the
 * `sonnet`-style aliases become model preference hints), and what the
 * skill gets back. No API key is involved anywhere.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import type { ClientModel, SampleRequest } from "./client_model.ts";
import type { SkillEntry, ToolInfo } from "../../skills/mod.ts";
import { credentialState } from "../credentials/mod.ts";

/** The provider's name, as the owner prefers it: `prefs set capability.llm mcp-sampling`. */
export const CLIENT_MODEL_PROVIDER = "mcp-sampling";

/** Longest prompt (all messages and the system text) sent to a client: 1 MiB. */
const MAX_PROMPT_CHARS = 1024 * 1024;

/** What the aliases ask of the client's choice of model. */
const ALIASES: Record<string, Record<string, number>> = {
  opus: { intelligencePriority: 1, speedPriority: 0.2, costPriority: 0.2 },
  sonnet: { intelligencePriority: 0.6, speedPriority: 0.5, costPriority: 0.5 },
  haiku: { intelligencePriority: 0.2, speedPriority: 1, costPriority: 1 },
};

/**
 * Whether the client's model serves this call: only `llm`, only for a call
 * that came from an MCP client which declared sampling, and only when the
 * owner prefers it, or prefers nothing and no provider is configured.
 *
 * @param name the capability
 * @param model the calling session's client model, if any
 * @param preferred the owner's `prefs capability.<name>`
 * @param configured how many providers the owner configured ({@linkcode isConfigured})
 */
export function clientModelServes(
  name: string,
  model: ClientModel | undefined,
  preferred: unknown,
  configured: () => number,
): model is ClientModel {
  if (name !== "llm" || model === undefined) return false;
  if (preferred === CLIENT_MODEL_PROVIDER) return true;
  return (preferred === undefined || preferred === null) && configured() === 0;
}

/**
 * Whether the owner configured a provider: added it, or stored its
 * credential. A bundled provider that needs nothing (the local endpoints
 * of openai-compatible) is there on every machine, whether or not a model
 * answers behind it, so it does not count.
 *
 * @param skill the provider's skill
 * @param tool its tool
 * @param vault the vault's domains, and whether a skill holds its own row
 */
export function isConfigured(
  skill: SkillEntry,
  tool: ToolInfo,
  vault: { domains: Set<string>; ownKey?: (skillId: string) => boolean },
): boolean {
  if (skill.origin === "user") return true;
  const connections = tool.connection;
  return credentialState(skill, { connections, ...vault }).state ===
    "present";
}

/**
 * Asks the client's model and answers as an `llm` provider does.
 *
 * @param model the calling session's client model
 * @param params the `llm` parameters
 * @param signal the call's cancellation
 * @returns `{content, model, stop_reason, usage, provider}`
 * @throws {RpcError} InvalidParams for tools or bad messages; the client's
 *   refusal, timeout or malformed answer as SkillFailed/Timeout
 */
export async function askClientModel(
  model: ClientModel,
  params: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Record<string, unknown>> {
  const answer = await model(samplingRequest(params), signal);
  return {
    content: answer.text,
    model: answer.model,
    stop_reason: answer.stopReason ?? null,
    usage: {},
    provider: CLIENT_MODEL_PROVIDER,
  };
}

/**
 * The `sampling/createMessage` params for `llm` params.
 *
 * @param params `messages`, `prompt`, `system`, `model`, `temperature`, `max_tokens`
 * @returns the request
 * @throws {RpcError} InvalidParams when they cannot be sent
 */
export function samplingRequest(
  params: Record<string, unknown>,
): SampleRequest {
  if (Array.isArray(params.tools) && params.tools.length > 0) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      "The MCP client's model (mcp-sampling) answers llm.oneshot and llm.agent without tools only; give no tools, or prefer a skill that provides llm",
    );
  }
  const system: string[] = typeof params.system === "string" && params.system
    ? [params.system]
    : [];
  const messages = chatMessages(params, system);
  const size = JSON.stringify(messages).length + system.join("").length;
  if (size > MAX_PROMPT_CHARS) {
    throw invalidParams(
      `The prompt is ${size} characters, more than the ${MAX_PROMPT_CHARS} sent to an MCP client`,
    );
  }
  const maxTokens = Number.isInteger(params.max_tokens) &&
      (params.max_tokens as number) > 0
    ? Math.min(params.max_tokens as number, 100_000)
    : 1024;
  return {
    messages,
    maxTokens,
    ...(system.length > 0 ? { systemPrompt: system.join("\n\n") } : {}),
    ...(typeof params.temperature === "number"
      ? { temperature: params.temperature }
      : {}),
    ...modelPreferences(params.model),
  };
}

/** `prompt` or `messages` as sampling messages; `system` messages join the system text. */
function chatMessages(
  params: Record<string, unknown>,
  system: string[],
): SampleRequest[] {
  const given = Array.isArray(params.messages)
    ? params.messages
    : typeof params.prompt === "string"
    ? [{ role: "user", content: params.prompt }]
    : [];
  const messages: SampleRequest[] = [];
  for (const message of given) {
    if (!isObject(message) || typeof message.content !== "string") {
      throw invalidParams(
        `Each message must be {"role", "content"} with text content`,
      );
    }
    if (message.role === "system") {
      system.push(message.content);
    } else if (message.role === "user" || message.role === "assistant") {
      messages.push({
        role: message.role,
        content: { type: "text", text: message.content },
      });
    } else {
      throw invalidParams(
        `A message's role must be "user", "assistant" or "system", got ${
          JSON.stringify(message.role)?.slice(0, 40)
        }`,
      );
    }
  }
  if (messages.length === 0) {
    throw invalidParams("llm needs a prompt or messages");
  }
  return messages;
}

/** An alias as priorities and a hint; another name as a hint only. */
function modelPreferences(model: unknown): SampleRequest {
  if (typeof model !== "string" || !/^[\w.:/-]{1,100}$/.test(model)) return {};
  const priorities = ALIASES[model.toLowerCase()] ?? {};
  return { modelPreferences: { hints: [{ name: model }], ...priorities } };
}
