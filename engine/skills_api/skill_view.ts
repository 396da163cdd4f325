/**
 * A skill as the `skills.*` methods show it: its description, grants,
 * secrets, credentials and tools, for `skills.list`, `skills.allow` and
 * `skills.add`.
 *
 * @module
 */
import {
  declaredKeychainItems,
  declaredPrograms,
  type ReadGrants,
  type RunGrant,
} from "../grants/mod.ts";
import { declaredUses } from "../skills/mod.ts";
import { skillCredentialDomains } from "../grants/mod.ts";
import {
  declaresSecrets,
  secretsSetCommand,
  skillLabel,
} from "../broker/mod.ts";
import type { SkillGrants } from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";

/**
 * A skill as `skills.list` shows it.
 *
 * @param skill the skill
 * @param grants the owner's grants for it
 * @param options the domains the vault holds credentials for, and
 *   whether the owner granted the skill real values
 * @returns its public description
 */
export function skillView(
  skill: SkillEntry,
  grants: SkillGrants,
  options: {
    vaultDomains?: Set<string>;
    /** Domains holding a credential stored for other skills, not this one. */
    unshared?: string[];
    /** Domains whose stored credential the owner allowed it (`--credential`). */
    credentialsAllowed?: string[];
    /** The vault holds the skill's own credential (its skill namespace). */
    ownKey?: boolean;
    runGrants?: Record<string, RunGrant>;
    readGrants?: ReadGrants;
    secretsGranted?: boolean;
    /** Keychain items the owner granted (`--keychain`). */
    keychainGrants?: string[];
    /** Why tools cannot work, by name: they show `available: false` and the reason. */
    unavailable?: Map<string, string>;
  } = {},
): Record<string, unknown> {
  const vaultDomains = options.vaultDomains ?? new Set<string>();
  const runGrants = options.runGrants ?? {};
  const fm = skill.discovery.front_matter;
  return {
    id: skill.id,
    name: skill.name,
    description: skill.description,
    origin: skill.origin,
    dir: skill.dir,
    enabled: skill.enabled,
    addedAt: skill.addedAt,
    lastSuccessAt: skill.lastSuccessAt ?? null,
    needs: Array.isArray(fm.capabilities) ? fm.capabilities : [],
    uses: declaredUses(skill.discovery),
    deferred: skill.deferred,
    connections: connectionsView(skill),
    egress: skill.egress,
    grants: grantsView(skill, grants),
    // Each program the readme declares, and what the owner granted it.
    programs: declaredPrograms(skill.discovery).map((name) => ({
      name,
      granted: runGrants[name] ?? null,
    })),
    // Local databases the owner lets it read with sql.query.
    reads: options.readGrants?.paths ?? [],
    secrets: secretsView(skill, options.secretsGranted === true),
    keychain: keychainView(skill, options.keychainGrants ?? []),
    credentials: credentialsView(skill, vaultDomains, {
      ownKey: options.ownKey === true,
      unshared: options.unshared ?? [],
    }),
    credentials_allowed: options.credentialsAllowed ?? [],
    tools: toolsView(skill, options.unavailable),
    problems: skill.discovery.problems,
  };
}

/** The connections the skill declares. */
function connectionsView(skill: SkillEntry): Record<string, unknown>[] {
  return skill.discovery.connections.map((c) => ({
    name: c.name,
    base_url: c.base_url,
    domain: c.domain,
    description: c.description,
    label: c.label,
    auth: c.auth ?? null,
    file: c.file,
    line: c.line,
  }));
}

/**
 * Each connection's vault domains, the one stored, and whether one is
 * needed (with the command that stores it).
 */
function credentialsView(
  skill: SkillEntry,
  vaultDomains: Set<string>,
  { ownKey, unshared }: { ownKey: boolean; unshared: string[] },
): Record<string, unknown>[] {
  return skillCredentialDomains(skill.id, skill.discovery.connections)
    .map((entry) => {
      const connection = skill.discovery.connections.find((c) =>
        c.name === entry.connection
      );
      const needed = connection !== undefined &&
        connection.auth !== null && connection.auth !== undefined &&
        connection.optional !== true;
      return {
        connection: entry.connection,
        domains: entry.candidates,
        // A connection keyed by the skill reads its own row, never a domain's.
        ...(entry.keyedBySkill ? { skill: skill.id } : {}),
        stored: entry.keyedBySkill
          ? (ownKey ? skillLabel(skill.id) : null)
          : entry.candidates.find((d) => vaultDomains.has(d)) ?? null,
        needed,
        ...(needed && connection
          ? { command: secretsSetCommand(skill.id, connection) }
          : {}),
        // Stored for other skills: shared with this one once allowed.
        ...notShared(skill.id, entry.candidates, vaultDomains, unshared),
      };
    });
}

/** A connection's credential stored for other skills, with the command that shares it. */
function notShared(
  skillId: string,
  candidates: string[],
  usable: Set<string>,
  unshared: string[],
): Record<string, string> {
  if (candidates.some((d) => usable.has(d))) return {};
  const domain = candidates.find((d) => unshared.includes(d));
  if (!domain) return {};
  return {
    not_shared: domain,
    allow_command: `agentos skills allow ${skillId} --credential ${domain}`,
  };
}

/** The skill's tools, each with whether it can work here. */
function toolsView(
  skill: SkillEntry,
  unavailable: Map<string, string> | undefined,
): Record<string, unknown>[] {
  return skill.discovery.tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    file: tool.file,
    line: tool.line,
    params: tool.params,
    provides: tool.provides,
    returns: tool.returns,
    timeout: tool.timeout,
    connection: tool.connection,
    tests: tool.tests,
    test_skip: tool.test_skip,
    ...availability(unavailable?.get(tool.name)),
  }));
}

/**
 * How a skill receives credentials: `real values (granted)` (the owner
 * ran `agentos skills allow <skill> --secrets`), `masked (declares
 * secrets, not granted)` or `masked` (placeholders). Declaring `secrets`
 * alone gives no real value: the grant is the rule.
 *
 * @param skill the skill
 * @param granted whether the owner granted it real values
 * @returns the label
 */
export function secretsView(skill: SkillEntry, granted: boolean): string {
  if (granted) return "real values (granted)";
  return declaresSecrets(skill)
    ? "masked (declares secrets, not granted)"
    : "masked";
}

/**
 * The keychain items a skill's readme declares, each with whether the
 * owner granted it (`agentos skills allow <skill> --keychain <item>`).
 *
 * @param skill the skill
 * @param granted the granted item names
 * @returns one entry per declared item
 */
export function keychainView(
  skill: SkillEntry,
  granted: string[],
): { item: string; granted: boolean }[] {
  return declaredKeychainItems(skill.discovery).map((item) => ({
    item,
    granted: granted.includes(item),
  }));
}

/**
 * A skill's grants as `skills.list` and `skills.allow` show them (open
 * web only counts when the skill declares it).
 *
 * @param skill the skill
 * @param grants its grants
 * @returns hosts, open web, and whether these are a bundled skill's defaults
 */
export function grantsView(
  skill: SkillEntry,
  grants: SkillGrants,
): Record<string, unknown> {
  return {
    hosts: grants.hosts,
    openWeb: grants.openWeb && skill.egress.openWeb,
    byDefault: grants.byDefault,
  };
}

function availability(reason: string | undefined): Record<string, unknown> {
  return reason === undefined
    ? { available: true }
    : { available: false, unavailable: reason };
}

/**
 * The vault domains a skill's connections would use (the first stored
 * candidate of each), and `skill <id>` for its own row, as `skills add
 * --replace` reports them: a replacement with the same id reads the old
 * skill's own row.
 *
 * @param skill the skill
 * @param vault the domains the vault holds credentials for
 * @param ownKey whether the vault holds the skill's own credential
 * @returns the domains
 */
export function storedCredentials(
  skill: SkillEntry,
  vault: Set<string>,
  ownKey = false,
): string[] {
  return [
    ...new Set(
      skillCredentialDomains(skill.id, skill.discovery.connections).flatMap((
        entry,
      ) =>
        entry.keyedBySkill
          ? (ownKey ? [skillLabel(skill.id)] : [])
          : entry.candidates.filter((d) => vault.has(d)).slice(0, 1)
      ),
    ),
  ];
}
