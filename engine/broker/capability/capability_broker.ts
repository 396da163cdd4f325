import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import {
  type CredentialRefusal,
  credentialRefusalOf,
  type GrantNeed,
  grantNeedOf,
  withCredentialRefusal,
  withGrantNeed,
} from "../../grants/mod.ts";
import type { ToolInfo } from "../../skills/mod.ts";
import type { SkillEntry, SkillRegistry } from "../../skills/mod.ts";
import type { RecordCounts, ToolRun, ToolRunner } from "./tool_runner.ts";
import type { SettingsStore } from "../../graph/mod.ts";
import { credentialState } from "../credentials/mod.ts";
import { callUrl, declaredUrls } from "./url_patterns.ts";
import { routeByUrl } from "./url_routing.ts";
import {
  askClientModel,
  clientModelServes,
  isConfigured,
} from "./client_model_llm.ts";

/** One provider of a capability, in the order it would be tried. */
export interface Provider {
  skill: string;
  tool: string;
  /** Why it has this position. */
  reason: string;
  /** The URL patterns it serves (`@provides(..., urls=[...])`); absent for a generic provider. */
  urls?: string[];
}

/** Options of {@linkcode CapabilityBroker.providers}. */
export interface ProvidersOptions {
  /** Order for a call about this URL (as `invoke` would for params carrying it). */
  url?: string;
}

/** One failed (or the final successful) attempt of `capability.invoke`. */
export interface Attempt {
  skill: string;
  tool: string;
  ok: boolean;
  error?: { code: number; message: string };
}

/** What `capability.invoke` returns. */
export interface InvokeResult {
  result: unknown;
  provider: { skill: string; tool: string };
  attempts: Attempt[];
  records: RecordCounts;
}

/** Skill errors that mean "this provider cannot serve", not "bad request". */
const PROVIDER_FAULT =
  /\b(auth|unauthori[sz]ed|forbidden|401|403|credential|api[ _-]?key|quota|rate[ _-]?limit|unavailable)/i;

/** Options for {@linkcode CapabilityBroker.invoke}. */
export type InvokeOptions =
  & Pick<
    ToolRun,
    | "signal"
    | "onProgress"
    | "chain"
    | "tape"
    | "clientModel"
    | "once"
    | "nestedOnce"
  >
  & {
    /** Skills that may not serve this call (the callers: no cycles). */
    exclude?: string[];
  };

/**
 * Capabilities: the enabled skills with a tool that `@provides` a name,
 * ordered by the owner's preference (`prefs` key `capability.<name>`),
 * then providers that can work (their credential is in the vault, or they
 * need none) before those missing one, then, within each, providers that
 * were there before the others were added (a newly added provider joins
 * after them until the owner prefers it), then freshness (most recent
 * successful call, then most recently added), then skill id. For a call
 * about a URL, URL patterns choose only within one standing (see
 * `url_routing.ts`): they never lift a provider ahead of the owner's
 * order. `invoke` tries them in that order and moves on when a provider fails for a
 * reason that is not the caller's fault. Apps name a capability, never a
 * skill.
 */
export class CapabilityBroker {
  #registry: SkillRegistry;
  #runner: ToolRunner;
  #settings: SettingsStore;
  #vaultDomains: (skillId: string) => Set<string>;
  #ownKey: (skillId: string) => boolean;

  /**
   * @param registry the installed skills
   * @param runner runs one provider's tool
   * @param settings holds the owner's preferences
   * @param vaultDomains the domains the vault holds a credential for that
   *   a skill may use (a credential it was not allowed is not present)
   * @param ownKey whether the vault holds a skill's own credential (its
   *   skill namespace)
   */
  constructor(
    registry: SkillRegistry,
    runner: ToolRunner,
    settings: SettingsStore,
    vaultDomains: (skillId: string) => Set<string> = () => new Set(),
    ownKey: (skillId: string) => boolean = () => false,
  ) {
    this.#registry = registry;
    this.#runner = runner;
    this.#settings = settings;
    this.#vaultDomains = vaultDomains;
    this.#ownKey = ownKey;
  }

  /**
   * Every capability some enabled skill provides.
   *
   * @returns name, description, provider ids in order, and the JSON Schema
   *   of the first provider's tool parameters
   */
  list(): {
    name: string;
    description: string;
    providers: string[];
    params: Record<string, unknown>;
  }[] {
    const names = new Set<string>();
    for (const skill of this.#registry.list()) {
      if (!skill.enabled) continue;
      for (const tool of skill.discovery.tools) {
        for (const name of tool.provides) names.add(name);
      }
    }
    return [...names].sort().map((name) => {
      const ordered = this.#ordered(name);
      const first = ordered[0]!;
      const options = first.tool.provides_options;
      return {
        name,
        description: typeof options.description === "string"
          ? options.description
          : first.tool.description,
        providers: [...new Set(ordered.map((p) => p.skill.id))],
        params: paramsSchema(first.tool),
      };
    });
  }

  /**
   * The providers of one capability, in the order `invoke` tries them.
   *
   * @param name the capability
   * @returns skill, tool and the reason for each position (empty when none)
   */
  providers(name: string, options: ProvidersOptions = {}): Provider[] {
    return this.#ordered(name, options.url).map(({ skill, tool, reason }) => {
      const urls = declaredUrls(tool.provides_options);
      return {
        skill: skill.id,
        tool: tool.name,
        reason,
        ...(urls.length > 0 ? { urls } : {}),
      };
    });
  }

  /**
   * Invokes a capability with failover.
   *
   * @param name the capability
   * @param params the tool parameters
   * @param options cancellation, progress, the calling chain and skills to leave out
   * @returns the result, which provider gave it, and every attempt
   * @throws {RpcError} NotFound when nothing provides it; Forbidden when only
   *   the callers do (a cycle); the provider's error when it was the caller's
   *   fault; SkillFailed listing the attempts when all failed
   */
  async invoke(
    name: string,
    params: Record<string, unknown>,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const { exclude = [], ...runOptions } = options;
    const url = callUrl(params);
    const all = this.#ordered(name, url);
    const providers = all.filter((p) => !exclude.includes(p.skill.id));
    const preferred = this.#settings.get(`prefs.capability.${name}`);
    const vault = (skillId: string) => ({
      domains: this.#vaultDomains(skillId),
      ownKey: this.#ownKey,
    });
    const configured = () =>
      all.filter((p) => isConfigured(p.skill, p.tool, vault(p.skill.id)))
        .length;
    if (clientModelServes(name, options.clientModel, preferred, configured)) {
      return await this.#askClientModel(options.clientModel, params, options);
    }
    if (all.length === 0) {
      throw new RpcError(
        ErrorCode.NotFound,
        url !== undefined && this.#ordered(name).length > 0
          ? `No enabled provider of "${name}" serves ${url}: every provider declares URL patterns that do not match it; see the PROVIDES column of agentos skills list`
          : `No enabled skill provides "${name}"; see the PROVIDES column of agentos skills list`,
      );
    }
    if (providers.length === 0) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `capability.call "${name}" refused: its only providers (${
          [...new Set(all.map((p) => p.skill.id))].join(", ")
        }) are already in this call chain (${
          exclude.join(" → ")
        }); a skill cannot re-enter itself`,
        { check: "cycle" },
      );
    }
    const attempts: Attempt[] = [];
    const facts: RunnerFacts = {};
    for (const { skill, tool } of providers) {
      try {
        const run = await this.#runner.run({
          skill: skill.id,
          tool: tool.name,
          params,
          capability: name,
          ...runOptions,
        });
        attempts.push({ skill: skill.id, tool: tool.name, ok: true });
        return {
          result: run.result,
          provider: { skill: skill.id, tool: tool.name },
          attempts,
          records: run.records,
        };
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        noteFacts(facts, error);
        attempts.push({
          skill: skill.id,
          tool: tool.name,
          ok: false,
          error: { code: error.code, message: error.message },
        });
        if (options.signal?.aborted || !providerFault(error)) {
          const need = grantNeedOf(error);
          const thrown = new RpcError(error.code, error.message, {
            ...(isObject(error.data) ? error.data : {}),
            attempts,
          });
          const refusal = credentialRefusalOf(error);
          if (refusal) withCredentialRefusal(thrown, refusal);
          throw need ? withGrantNeed(thrown, need) : thrown;
        }
      }
    }
    throw allFailed(name, attempts, facts);
  }

  /** `llm` answered by the calling MCP client's model (client_model_llm.ts). */
  async #askClientModel(
    model: NonNullable<InvokeOptions["clientModel"]>,
    params: Record<string, unknown>,
    options: InvokeOptions,
  ): Promise<InvokeResult> {
    const provider = { skill: "mcp-sampling", tool: "sampling/createMessage" };
    return {
      result: await askClientModel(model, params, options.signal),
      provider,
      attempts: [{ ...provider, ok: true }],
      records: { created: 0, updated: 0, warnings: [], ids: [] },
    };
  }

  /**
   * The providers in the order `invoke` tries them, and `providers` lists
   * (one function for both). For a call about a URL, `routeByUrl` keeps
   * the owner's order and only filters and orders within a standing.
   */
  #ordered(
    name: string,
    url?: string,
  ): { skill: SkillEntry; tool: ToolInfo; reason: string }[] {
    const ranked = this.#byPreference(name).map((p) => ({
      entry: p,
      rank: p.rank,
      options: p.tool.provides_options,
      reason: p.reason,
    }));
    const chosen = url === undefined ? ranked : routeByUrl(ranked, url);
    return chosen.map(({ entry, reason }) => ({
      skill: entry.skill,
      tool: entry.tool,
      reason,
    }));
  }

  #byPreference(
    name: string,
  ): { skill: SkillEntry; tool: ToolInfo; rank: number; reason: string }[] {
    const preferred = this.#settings.get(`prefs.capability.${name}`);
    const found: {
      skill: SkillEntry;
      tool: ToolInfo;
      rank: number;
      credential: string;
    }[] = [];
    for (const skill of this.#registry.list()) {
      if (!skill.enabled) continue;
      for (const tool of skill.discovery.tools) {
        if (!tool.provides.includes(name)) continue;
        // Only a credential this provider may use counts as present.
        const state = credentialState(skill, {
          connections: tool.connection,
          domains: this.#vaultDomains(skill.id),
          ownKey: this.#ownKey,
        });
        const credential = state.state === "present"
          ? `credential present for ${state.where}`
          : state.state === "none"
          ? "needs no credential"
          : `missing a credential for ${state.where} (${state.command})`;
        // A provider added while others served the capability goes after
        // them all (else installing one took every caller over at once).
        const rank = skill.id === preferred
          ? 0
          : 1 + (state.state === "missing" ? 2 : 0) +
            (skill.deferred.includes(name) ? 1 : 0);
        found.push({ skill, tool, rank, credential });
      }
    }
    found.sort((a, b) =>
      a.rank - b.rank ||
      (b.skill.lastSuccessAt ?? "").localeCompare(
        a.skill.lastSuccessAt ?? "",
      ) ||
      b.skill.addedAt.localeCompare(a.skill.addedAt) ||
      a.skill.id.localeCompare(b.skill.id)
    );
    return found.map((entry, index) => {
      const next = found[index + 1];
      let reason: string;
      if (entry.rank === 0) {
        reason = `preferred (prefs capability.${name})`;
      } else {
        const fresh = entry.skill.lastSuccessAt
          ? `last succeeded ${entry.skill.lastSuccessAt}`
          : `added ${entry.skill.addedAt}`;
        const tie = next && next.rank === entry.rank &&
            (next.skill.lastSuccessAt ?? "") ===
              (entry.skill.lastSuccessAt ?? "") &&
            next.skill.addedAt === entry.skill.addedAt
          ? "; skill id order breaks the tie"
          : "";
        const joined = entry.skill.deferred.includes(name)
          ? `; added after existing providers, tried after them until the owner prefers it (agentos prefs set capability.${name} ${entry.skill.id})`
          : "";
        reason = `${fresh}${joined}; ${entry.credential}${tie}`;
      }
      return {
        skill: entry.skill,
        tool: entry.tool,
        rank: entry.rank,
        reason,
      };
    });
  }
}

/**
 * Whether a provider's failure is its own (try the next) rather than the
 * caller's: crashes, timeouts, a refused sandbox or policy, an unexpected
 * exception in the tool, or a skill error about auth or availability. Bad
 * parameters and deliberate skill errors are the caller's.
 *
 * @param error the provider's error
 * @returns true to fail over
 */
export function providerFault(error: RpcError): boolean {
  switch (error.code) {
    case ErrorCode.Timeout:
    case ErrorCode.SandboxUnavailable:
    case ErrorCode.Forbidden:
    case ErrorCode.InternalError:
      return true;
    case ErrorCode.SkillFailed: {
      const data = isObject(error.data) ? error.data : {};
      if (data.reason !== "skill_error") return true;
      return PROVIDER_FAULT.test(
        `${data.message ?? ""} ${JSON.stringify(data.fields ?? {})}`,
      );
    }
    default:
      return false;
  }
}

/**
 * The JSON Schema of a tool's parameters.
 *
 * @param tool the tool
 * @returns an object schema
 */
export function paramsSchema(tool: ToolInfo): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const param of tool.params) {
    const property: Record<string, unknown> = {};
    if (param.type) property.type = param.type;
    if (param.description) property.description = param.description;
    if (!param.required && param.default !== null) {
      property.default = param.default;
    }
    properties[param.name] = property;
    if (param.required) required.push(param.name);
  }
  return {
    type: "object",
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: true,
  };
}

/**
 * The runner's own facts of a failed provider (call_failure.ts): the grant
 * it was refused, and the stored credential its domain refused.
 */
interface RunnerFacts {
  grantNeeded?: GrantNeed;
  credentialRefused?: CredentialRefusal;
}

/** Keeps the first of each fact a failed provider's error carries. */
function noteFacts(facts: RunnerFacts, error: RpcError): void {
  // Only the runner's own refusal object names a grant (call_failure.ts).
  facts.grantNeeded ??= grantNeedOf(error);
  // Only the runner's own mark, never a field of the error's data.
  facts.credentialRefused ??= credentialRefusalOf(error);
}

/**
 * Every provider failed: the attempts, the first grant one was refused and
 * the first stored credential a provider's domain refused.
 */
function allFailed(
  name: string,
  attempts: Attempt[],
  facts: RunnerFacts,
): RpcError {
  const { grantNeeded, credentialRefused } = facts;
  const error = new RpcError(
    ErrorCode.SkillFailed,
    `Every provider of "${name}" failed: ${
      attempts.map((a) => `${a.skill}: ${a.error?.message}`).join("; ")
        .slice(0, 1500)
    }`,
    {
      attempts,
      ...(grantNeeded ? { grantNeeded } : {}),
      ...(credentialRefused ? { credentialRefused } : {}),
    },
  );
  if (credentialRefused) withCredentialRefusal(error, credentialRefused);
  return grantNeeded ? withGrantNeed(error, grantNeeded) : error;
}
