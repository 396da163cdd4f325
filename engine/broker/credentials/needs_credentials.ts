import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";
import {
  type ConnectionInfo,
  type SkillEntry,
  type ToolInfo,
} from "../../skills/mod.ts";
import { type CredentialDomains, credentialDomains } from "../../grants/mod.ts";
import { findCredential, setCommand } from "./skill_credentials.ts";

/**
 * Whether a connection cannot work without a stored credential: it
 * declares `auth`, is not `optional`, and is not a cookie session (whose
 * login tools run on the same connection before any cookie exists).
 *
 * @param connection a declared connection
 * @returns true when a call on it needs a credential first
 */
export function requiresCredential(connection: ConnectionInfo): boolean {
  const auth = connection.auth;
  if (auth === null || auth === undefined || connection.optional === true) {
    return false;
  }
  return !(isObject(auth) && auth.type === "cookies");
}

/**
 * The command that stores a connection's credential.
 *
 * @param skillId the skill
 * @param connection the connection
 * @returns e.g. `agentos secrets set example.com`, or `agentos secrets set
 *   --skill <id>` for a connection keyed by the skill
 */
export function secretsSetCommand(
  skillId: string,
  connection: ConnectionInfo,
): string {
  return setCommand(skillId, credentialDomains(skillId, connection));
}

/**
 * The `NEEDS_CREDENTIALS` refusal of a call whose tool runs on a
 * connection that needs a credential the vault does not hold, or
 * undefined when the call may run. The tools the connection names in
 * `auth.account` (check, login, logout) run without one.
 *
 * @param skill the skill
 * @param tool the tool
 * @param rows the vault's metadata: domain rows, and the skill's own rows
 * @returns the error to throw, or undefined
 */
export function needsCredentials(
  skill: SkillEntry,
  tool: ToolInfo,
  rows: {
    domains: { domain: string; identifier: string }[];
    own: { identifier: string }[];
  },
): RpcError | undefined {
  const connection = toolConnection(skill, tool);
  if (!connection || !requiresCredential(connection)) return undefined;
  const auth = connection.auth;
  const account = isObject(auth) && isObject(auth.account) ? auth.account : {};
  if (Object.values(account).includes(tool.name)) return undefined;
  const entry = credentialDomains(skill.id, connection);
  const stored = entry.keyedBySkill
    ? rows.own.length > 0
    : findCredential(rows.domains, entry.candidates) !== undefined;
  if (stored) return undefined;
  const command = setCommand(skill.id, entry);
  const helpUrl = typeof connection.help_url === "string"
    ? connection.help_url
    : null;
  // One text whether the domain holds no credential or one this skill may
  // not use: the refusal never tells which (docs/security.md).
  const allow = entry.keyedBySkill ? undefined : allowCommand(skill.id, entry);
  return new RpcError(
    ErrorCode.Forbidden,
    `NEEDS_CREDENTIALS: tool "${tool.name}" of skill "${skill.id}" needs a credential for connection "${connection.name}"${
      connection.label ? ` (${connection.label})` : ""
    }; ${helpUrl ? `get one at ${helpUrl} and ` : ""}store it with: ${command}${
      allow
        ? `; or, if one is stored for another skill, allow this one to use it: ${allow}`
        : ""
    }`,
    {
      reason: "NEEDS_CREDENTIALS",
      connection: connection.name,
      domain: entry.candidates.at(-1) ?? null,
      ...(entry.keyedBySkill ? { skill: skill.id } : {}),
      help_url: helpUrl,
      command,
      ...(allow ? { allow_command: allow } : {}),
    },
  );
}

/**
 * The command that allows a skill to use a domain's stored credential.
 *
 * @param skillId the skill
 * @param entry the connection's credential domains
 * @returns `agentos skills allow <skill> --credential <domain>`
 */
export function allowCommand(
  skillId: string,
  entry: CredentialDomains,
): string {
  return `agentos skills allow ${skillId} --credential ${
    entry.candidates.at(-1)
  }`;
}

/**
 * The connection a tool runs on: its `@connection` (the first of a list),
 * else the skill's only connection; none for `@connection("none")`.
 *
 * @param skill the skill
 * @param tool the tool
 * @returns the connection, or undefined
 */
export function toolConnection(
  skill: SkillEntry,
  tool: ToolInfo,
): ConnectionInfo | undefined {
  const { connections } = skill.discovery;
  const named = tool.connection?.[0];
  if (named === "none") return undefined;
  if (named) return connections.find((c) => c.name === named);
  return connections.length === 1 ? connections[0] : undefined;
}
