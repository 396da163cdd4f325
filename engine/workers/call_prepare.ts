/**
 * A skill call's first stage, before any worker starts: which skill and
 * tool it runs (looked up, a disabled skill refused, the parameters checked
 * against the tool's signature, a call without the credentials it needs
 * refused), then what it runs with (its id and limits, the credentials the
 * worker receives, the call's session and keyword arguments).
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { DEFAULT_TOOL_TIMEOUT_S, MAX_TOOL_TIMEOUT_S } from "../sandbox/mod.ts";
import {
  CallSession,
  type CredentialSource,
  loadCredentials,
  type LoadedCredentials,
  needsCredentials,
  usableBy,
  writtenFor,
} from "../broker/mod.ts";
import {
  findTool,
  type SkillEntry,
  type SkillRegistry,
  type ToolInfo,
} from "../skills/mod.ts";
import type { CredentialRefusal, GrantNeed } from "../grants/mod.ts";
import { checkParams } from "./check_params.ts";
import { withSkillState } from "./skill_state.ts";
import type { RowInfo } from "./account_check.ts";
import type { RunRequest, SkillRunnerOptions } from "./run_types.ts";

/** The skill and tool a call runs, checked. */
export interface CallTarget {
  skill: SkillEntry;
  tool: ToolInfo;
}

/** The fields the call's event, log line and audit row all name. */
export interface CallBase {
  callId: string;
  skill: string;
  tool: string;
  capability?: string;
}

/** Everything the later stages of one call read; fixed once prepared. */
export interface PreparedCall extends CallTarget {
  callId: string;
  /** `performance.now()` once the call passed its checks. */
  started: number;
  /** The tool's wall-clock limit, in seconds. */
  timeoutS: number;
  base: CallBase;
  /** The capability the call serves, if any. */
  capability?: string;
  /** Skills whose calls led here, outermost first, this one last. */
  chain: string[];
  /** Whether the owner granted the skill real credential values. */
  granted: boolean;
  loaded: LoadedCredentials;
  /** `loaded.credentials`: placeholders, values and redaction. */
  credentials: LoadedCredentials["credentials"];
  session: CallSession;
  /** The parameters the tool is called with. */
  kwargs: Record<string, unknown>;
  /** Grants its ops were refused for, first first (at most a few). */
  needs: GrantNeed[];
  /**
   * Stored credentials refused by their domains inside its nested
   * `capability.call`s (the provider's), first first (at most a few).
   */
  refusals: CredentialRefusal[];
}

/**
 * The checks of a call, in order: the skill exists and is enabled, the
 * tool exists, the parameters fit its signature, the credentials it needs
 * are stored.
 *
 * @param request the skill, tool and parameters asked for
 * @param options the registry and the vault
 * @returns the skill and tool
 * @throws {RpcError} NotFound, Forbidden (disabled), InvalidParams, or the
 *   missing credential's refusal
 */
export function callTarget(
  request: RunRequest,
  options: Pick<SkillRunnerOptions, "registry" | "vault">,
): CallTarget {
  const skill = enabledSkill(options.registry, request.skill);
  const tool = findTool(skill, request.tool);
  checkParams({ skillId: skill.id, tool }, request.params);
  refuseKeyless(skill, tool, options.vault);
  return { skill, tool };
}

function enabledSkill(registry: SkillRegistry, id: string): SkillEntry {
  const skill = registry.get(id);
  if (!skill.enabled) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skill.id}" is disabled; enable it with skills.enable`,
    );
  }
  return skill;
}

function refuseKeyless(
  skill: SkillEntry,
  tool: ToolInfo,
  vault: CredentialSource | undefined,
): void {
  const keyless = needsCredentials(skill, tool, {
    domains: (vault?.list() ?? []).filter((row) => usableBy(row, skill.id)),
    own: (vault?.skillRows(skill.id) ?? []).filter((row) =>
      writtenFor(row, skill.id)
    ),
  });
  if (keyless) throw keyless;
}

/** How this call is numbered and which stored rows it leaves out. */
export interface PrepareOptions {
  /** The runner's count of calls, this one included (part of the id). */
  number: number;
  /** Rows to leave out (a session the account check found expired). */
  skip?: (row: RowInfo) => boolean;
}

/**
 * Opens a checked call: its id, clock, limit and chain, then its
 * credentials, session and keyword arguments.
 *
 * @param target the checked skill and tool
 * @param request the caller's request
 * @param options the runner's graph, vault and grants
 * @param call the call's number and rows to skip
 * @returns the prepared call
 */
export async function prepareCall(
  target: CallTarget,
  request: RunRequest,
  options: SkillRunnerOptions,
  call: PrepareOptions,
): Promise<PreparedCall> {
  const opened = openCall(target, request, call.number);
  const equipped = await equipCall(target, request, options, call.skip);
  return { ...target, ...opened, ...equipped };
}

function openCall(
  { skill, tool }: CallTarget,
  request: RunRequest,
  number: number,
) {
  const timeoutS = Math.min(
    MAX_TOOL_TIMEOUT_S,
    tool.timeout ?? DEFAULT_TOOL_TIMEOUT_S,
  );
  const callId = `c-${Date.now().toString(36)}-${number}`;
  const started = performance.now();
  const { capability } = request;
  const base: CallBase = {
    callId,
    skill: skill.id,
    tool: tool.name,
    ...(capability ? { capability } : {}),
  };
  const chain = [...(request.chain ?? []), skill.id];
  const needs: GrantNeed[] = [];
  const refusals: CredentialRefusal[] = [];
  return {
    callId,
    started,
    timeoutS,
    base,
    capability,
    chain,
    needs,
    refusals,
  };
}

/** The credentials the worker receives, the session, the kwargs. */
async function equipCall(
  { skill, tool }: CallTarget,
  request: RunRequest,
  options: SkillRunnerOptions,
  skip: PrepareOptions["skip"],
) {
  const granted = options.realValues?.(skill) === true;
  const loaded = await loadCredentials(skill, options.vault, {
    realValues: granted,
    skip,
  });
  const { credentials } = loaded;
  const session = new CallSession({
    skillId: skill.id,
    connections: skill.discovery.connections,
    bindings: loaded.bindings,
    credentials,
  });
  const kwargs = withSkillState(options.graph, {
    skillId: skill.id,
    tool,
    params: request.params,
  });
  if (loaded.skillAuth !== undefined && kwargs.auth === undefined) {
    kwargs.auth = loaded.skillAuth;
  }
  return { granted, loaded, credentials, session, kwargs };
}
