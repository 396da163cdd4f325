/**
 * `skills.allow {skill, credential: <domain>}` and `skills.disallow`: the
 * owner lets a skill use a domain's stored credential, or takes it back
 * (the vault row's `users`, see `credential_users.ts`). Only a domain one
 * of the skill's connections declares can be allowed, and only a stored
 * one: the answer names the domain's rows the skill may use now.
 *
 * @module
 */
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { skillCredentialDomains } from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import { allowedDomains } from "./credential_users.ts";
import type { SkillsHandlerContext } from "./skills_context.ts";

/** What a `--credential` change names. */
export interface CredentialChange {
  skill: SkillEntry;
  credential: unknown;
  secrets: boolean;
  host: unknown;
  open_web: unknown;
  keychain: unknown;
}

/**
 * Allows a skill to use a declared domain's stored credential, or takes it
 * back: every row of the domain and of its subdomains the skill's
 * connection looks up (`--credential example.com` covers
 * `api.example.com`'s row for a connection to `api.example.com`).
 *
 * @param ctx the handlers' context
 * @param verb allow or disallow
 * @param change the skill and the domain
 * @returns the skill and the domains it may use now
 * @throws {RpcError} InvalidParams (not a domain it declares), NotFound
 *   (nothing stored there, or nothing to take back)
 */
export function changeCredentialGrant(
  ctx: SkillsHandlerContext,
  verb: "allow" | "disallow",
  change: CredentialChange,
): { skill: string; credentials_allowed: string[] } {
  const { skill, credential } = change;
  if (
    change.host !== undefined || change.open_web !== undefined ||
    change.secrets || change.keychain !== undefined
  ) {
    throw invalidParams(
      `skills.${verb} takes "credential" alone, one domain at a time`,
    );
  }
  if (typeof credential !== "string" || credential === "") {
    throw invalidParams(`"credential" must be a domain such as "example.com"`);
  }
  const vault = ctx.credentialUsers;
  if (!vault) {
    throw new RpcError(ErrorCode.NotFound, "This engine has no vault");
  }
  const domain = credential.toLowerCase().slice(0, 253);
  const covered = coveredDomains(skill, domain);
  const allowed = verb === "allow";
  let changed = 0;
  for (const d of covered) changed += vault.allowUse(d, skill.id, allowed);
  const now = allowedDomains(vault.list(), skill.id);
  const nothing = allowed
    ? !covered.some((d) => now.includes(d))
    : changed === 0;
  if (nothing) {
    throw new RpcError(
      ErrorCode.NotFound,
      allowed
        ? `No credential is stored for "${domain}" (${
          covered.join(", ")
        }); store one for this skill with: agentos secrets set ${domain} --for ${skill.id}`
        : `Skill "${skill.id}" was not allowed the credential for "${domain}"; it may use: ${
          now.join(", ") || "(none)"
        }`,
    );
  }
  return { skill: skill.id, credentials_allowed: now };
}

/** The declared domains a `--credential <domain>` covers: it and its subdomains. */
function coveredDomains(skill: SkillEntry, domain: string): string[] {
  const entries = skillCredentialDomains(skill.id, skill.discovery.connections)
    .filter((entry) => !entry.keyedBySkill);
  const declared = [...new Set(entries.flatMap((e) => e.candidates))];
  const covered = declared.filter((d) =>
    d === domain || d.endsWith(`.${domain}`)
  );
  if (covered.length === 0) {
    throw invalidParams(
      `Skill "${skill.id}" does not declare "${domain}" in its connections (${
        declared.join(", ") || "it has none"
      }); only the credential of a domain it declares can be allowed`,
    );
  }
  return covered;
}
