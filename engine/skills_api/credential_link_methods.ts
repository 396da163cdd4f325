/**
 * `credentials.link*`: one-time links to a bridge page where the owner
 * types a missing credential (MCP URL elicitation, docs/mcp.md).
 *
 * * `credentials.link {skills, ttlMs?, probe?}` — for the first of these skills
 *   whose connection lacks its credential, a link `{id, url, skill, domain,
 *   fields, expiresAt}`; the domain and fields come from the skill's
 *   declared connection and the vault, never from a caller's text. With
 *   `refused {domain, identifier, status}` (the engine's own
 *   `credentialRefused` fact of a failed call: the domain answered 401/403
 *   to the stored key), a link that replaces that stored row instead — only
 *   for a domain one of the skill's connections declares and the vault holds.
 *   A credential stored for other skills gives no link but Conflict
 *   `NOT_SHARED` naming the grant; with `probe`, no link is made either
 * * `credentials.link_describe {token}` — what a link asks for (the page)
 * * `credentials.link_submit {token, values}` — stores the credential and
 *   uses the link up (the page, through the bridge)
 * * `credentials.link_wait {id, timeoutMs?}` — waits for the submission
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import {
  method,
  type MethodTable,
  optionalInteger,
  stringParam,
} from "../rpc/mod.ts";
import type { ConnectionInfo, SkillRegistry } from "../skills/mod.ts";
import { credentialDomains } from "../grants/mod.ts";
import { requiresCredential } from "../broker/mod.ts";
import type { CredentialLinks, LinkRequest } from "../vault/mod.ts";
import type { AuditSink } from "../broker/mod.ts";

/** What the link methods work with. */
export interface CredentialLinkContext {
  registry: SkillRegistry;
  /** Resolves once the installed skills are loaded. */
  loaded: Promise<void>;
  links: CredentialLinks;
  /** The vault's domains. */
  vaultDomains: () => Set<string>;
  /** The domains holding a credential a skill may use (default: all). */
  usableDomains?: (skillId: string) => Set<string>;
  /** Whether the vault holds a skill's own credential (its skill namespace). */
  ownKey?: (skillId: string) => boolean;
  /** The bridge's base URL, starting a bridge when none listens. */
  bridgeUrl: () => Promise<string>;
  /** The audit trail: one line per issued link (never its token). */
  audit?: AuditSink;
}

/** Field names a page may ask for. */
const FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

/**
 * The `credentials.link*` methods.
 *
 * @param context the registry, the links, the vault's domains and the bridge
 * @returns the method table
 */
export function credentialLinkMethods(
  context: CredentialLinkContext,
): MethodTable {
  const { links } = context;
  return {
    "credentials.link": method(
      {
        skills: skillIds,
        ttlMs: (p, k) => optionalInteger(p, k, 1_800_000),
        refused: refusedParam,
        probe: (p, k) => p[k] === true,
      },
      async ({ skills, ttlMs, refused, probe }) => {
        await context.loaded;
        const request = refused
          ? refusedCredential(context, skills[0]!, refused)
          : missingCredential(context, skills);
        // `probe`: only whether one is missing (or NOT_SHARED), no link.
        if (probe) return { missing: request?.domain ?? null };
        if (!request) {
          throw new RpcError(
            ErrorCode.Conflict,
            refused
              ? `No connection of ${
                skills[0]
              } stores a credential for "${refused.domain}"`
              : `No credential is missing for ${skills.join(", ")}`,
            { reason: "NOTHING_MISSING" },
          );
        }
        const base = await context.bridgeUrl();
        const { token, ...view } = links.create(request, ttlMs);
        context.audit?.append({
          skill: view.skill,
          op: "credentials.link",
          target: view.domain,
          status: "ok",
          checks: {
            fields: view.fields.join(","),
            expires: view.expiresAt,
            ...(view.replaces
              ? { replaces: `HTTP ${view.replaces.status}` }
              : {}),
          },
        });
        return { ...view, url: `${base}credential#${token}` };
      },
    ),
    "credentials.link_describe": method(
      { token: stringParam },
      ({ token }) => links.describe(token),
    ),
    "credentials.link_submit": method(
      { token: stringParam, values: (p, k) => p[k] },
      ({ token, values }) => links.submit(token, values),
    ),
    "credentials.link_wait": method(
      { id: stringParam, timeoutMs: (p, k) => optionalInteger(p, k, 60_000) },
      ({ id, timeoutMs }) => links.wait(id, timeoutMs ?? 30_000),
    ),
  };
}

/** Up to ten skill ids. */
function skillIds(params: Record<string, unknown>, key: string): string[] {
  const value = params[key];
  if (
    !Array.isArray(value) || value.length === 0 || value.length > 10 ||
    !value.every((id) => typeof id === "string" && id.length <= 200)
  ) {
    throw invalidParams(`"${key}" must be a list of 1 to 10 skill ids`);
  }
  return value as string[];
}

/** A refused stored credential, as the proxy read it from the engine's error. */
interface Refused {
  domain: string;
  identifier: string;
  status: number;
}

/** The optional `refused` param: domain, identifier and the HTTP status. */
function refusedParam(
  params: Record<string, unknown>,
  key: string,
): Refused | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (
    !isObject(value) || typeof value.domain !== "string" ||
    value.domain === "" || value.domain.length > 253 ||
    typeof value.identifier !== "string" || value.identifier.length > 200 ||
    (value.status !== 401 && value.status !== 403)
  ) {
    throw invalidParams(
      `"${key}" must be {domain, identifier, status: 401 or 403}`,
    );
  }
  return {
    domain: value.domain,
    identifier: value.identifier,
    status: value.status,
  };
}

/**
 * The link that replaces a stored credential its domain refused: only for
 * a domain one of the skill's credential connections declares and the
 * vault holds, with that connection's fields.
 */
function refusedCredential(
  context: CredentialLinkContext,
  id: string,
  refused: Refused,
): LinkRequest | undefined {
  if (!context.vaultDomains().has(refused.domain)) return undefined;
  let skill;
  try {
    skill = context.registry.get(id);
  } catch {
    return undefined;
  }
  const connection = skill.discovery.connections.find((c) =>
    requiresCredential(c) &&
    credentialDomains(skill.id, c).candidates.includes(refused.domain)
  );
  if (!connection) return undefined;
  return {
    skill: skill.id,
    domain: refused.domain,
    fields: authFields(connection),
    replaces: { identifier: refused.identifier, status: refused.status },
  };
}

/**
 * The first listed skill's connection that needs a credential the vault
 * lacks. A credential stored for other skills is not asked for again: the
 * owner is asked to allow it instead (Conflict `NOT_SHARED`, with the
 * grant the proxy's approval prompt asks for). Only the owner's clients
 * call this method; a skill's own calls get the one uniform refusal.
 */
function missingCredential(
  context: CredentialLinkContext,
  ids: string[],
): LinkRequest | undefined {
  const domains = context.vaultDomains();
  for (const id of ids) {
    let skill;
    try {
      skill = context.registry.get(id);
    } catch {
      continue;
    }
    for (const connection of skill.discovery.connections) {
      if (!requiresCredential(connection)) continue;
      const entry = credentialDomains(skill.id, connection);
      if (entry.keyedBySkill) {
        if (context.ownKey?.(skill.id)) continue;
        return {
          skill: skill.id,
          domain: "",
          forSkill: true,
          fields: authFields(connection),
        };
      }
      const { candidates } = entry;
      const usable = context.usableDomains?.(skill.id) ?? domains;
      if (candidates.some((domain) => usable.has(domain))) continue;
      const stored = candidates.find((domain) => domains.has(domain));
      if (stored) throw notShared(skill.id, stored);
      return {
        skill: skill.id,
        domain: candidates.at(-1)!,
        fields: authFields(connection),
      };
    }
  }
  return undefined;
}

/** The refusal that names the grant the owner could give instead of a link. */
function notShared(skill: string, domain: string): RpcError {
  return new RpcError(
    ErrorCode.Conflict,
    `The credential stored for "${domain}" is not shared with ${skill}; allow it with: agentos skills allow ${skill} --credential ${domain}`,
    {
      reason: "NOT_SHARED",
      grant: { kind: "credential", skill, domain },
    },
  );
}

/**
 * The fields a connection's auth templates read (`.auth.key`,
 * `.auth.secret`), `key` when they name none.
 *
 * @param connection the declared connection
 * @returns the field names, in first-use order
 */
export function authFields(connection: ConnectionInfo): string[] {
  const text = JSON.stringify(isObject(connection.auth) ? connection.auth : {});
  const found = new Set<string>();
  for (const match of text.matchAll(/\.auth\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (FIELD.test(match[1]!)) found.add(match[1]!);
  }
  return found.size > 0 ? [...found].slice(0, 8) : ["key"];
}
