/**
 * Which skills may use a domain's stored credential (the vault row's
 * `users`), by one rule: the skill it was stored for. A credential a call
 * asked for (the bridge's one-time page, `secrets.set` naming the asking
 * skill) is that skill's; one a skill wrote itself is that skill's alone;
 * one the owner stored naming no skill (`agentos secrets set <domain>`) is
 * for the skills installed at that moment whose connections declare the
 * domain. Rows an engine before schema 8 wrote are recorded once, when the
 * installed skills are loaded, by that last rule. Any other skill needs
 * the owner's `agentos skills allow <skill> --credential <domain>`.
 *
 * @module
 */
import type { Logger } from "../logger.ts";
import { skillCredentialDomains } from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";
import { usableBy } from "../broker/mod.ts";

/** The vault as the rule uses it. */
export interface UsersVault {
  recordMissingUsers(
    decide: (
      row: { domain: string; identifier: string; writer: string | null },
    ) => string[],
  ): { domain: string; identifier: string; users: string[] }[];
}

/**
 * The installed skills whose connections declare a domain: a connection
 * whose credential is looked up there (its `domain=`, or its `base_url`
 * host and the parents up to the registrable domain).
 *
 * @param domain a vault domain
 * @param skills the installed skills
 * @returns their ids, sorted
 */
export function declaringSkills(
  domain: string,
  skills: SkillEntry[],
): string[] {
  return skills.filter((skill) =>
    skillCredentialDomains(skill.id, skill.discovery.connections).some((e) =>
      !e.keyedBySkill && e.candidates.includes(domain)
    )
  ).map((skill) => skill.id).sort();
}

/**
 * Records, once, the skills of rows written before schema 8: a row a
 * skill wrote is that skill's; any other, the installed skills declaring
 * its domain (those that used it until now).
 *
 * @param vault the vault
 * @param skills the installed skills, loaded
 * @param log where each recorded row is told
 */
export function recordRowUsers(
  vault: UsersVault,
  skills: SkillEntry[],
  log: Logger,
): void {
  const recorded = vault.recordMissingUsers((row) =>
    row.writer?.startsWith("skill:")
      ? [row.writer.slice("skill:".length)]
      : declaringSkills(row.domain, skills)
  );
  for (const row of recorded) {
    log.info("Vault row: skills that may use it recorded", {
      domain: row.domain,
      identifier: row.identifier,
      users: row.users.join(",") || "(none)",
    });
  }
}

/** A domain row's metadata, as the grant and the views read it. */
export interface UserRow {
  domain: string;
  identifier: string;
  writer?: string | null;
  users?: string[] | null;
}

/** The vault as `skills.allow --credential` and the views use it. */
export interface CredentialUsersVault {
  list(): UserRow[];
  allowUse(domain: string, skill: string, allowed: boolean): number;
  forgetUser(skill: string): void;
}

/**
 * The domains holding a credential a skill may use (the capability order,
 * `skills list`'s stored credential), never a row it may not.
 *
 * @param rows the vault's domain rows
 * @param skillId the skill
 * @returns the domains
 */
export function usableDomains(rows: UserRow[], skillId: string): Set<string> {
  return new Set(
    rows.filter((row) => usableBy(row, skillId)).map((row) => row.domain),
  );
}

/**
 * The domains whose credential the owner allowed a skill (rows the owner
 * or an older engine wrote that list it), for `skills list`/`show`.
 *
 * @param rows the vault's domain rows
 * @param skillId the skill
 * @returns the domains, sorted
 */
export function allowedDomains(rows: UserRow[], skillId: string): string[] {
  return [
    ...new Set(
      rows.filter((row) =>
        !(row.writer ?? "").startsWith("skill:") &&
        (row.users ?? []).includes(skillId)
      ).map((row) => row.domain),
    ),
  ].sort();
}

/**
 * The stored credentials a skill's connections declare but it may not
 * use: shared with it only once the owner allows them.
 *
 * @param skill the skill
 * @param rows the vault's domain rows
 * @returns the domains, sorted
 */
export function unsharedDomains(skill: SkillEntry, rows: UserRow[]): string[] {
  const usable = usableDomains(rows, skill.id);
  const stored = new Set(
    rows.filter((row) => !(row.writer ?? "").startsWith("skill:"))
      .map((row) => row.domain),
  );
  const found = new Set<string>();
  for (
    const entry of skillCredentialDomains(skill.id, skill.discovery.connections)
  ) {
    if (entry.keyedBySkill) continue;
    if (entry.candidates.some((d) => usable.has(d))) continue;
    const domain = entry.candidates.find((d) => stored.has(d));
    if (domain) found.add(domain);
  }
  return [...found].sort();
}
