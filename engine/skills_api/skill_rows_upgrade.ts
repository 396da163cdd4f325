/**
 * The one-time sorting of vault rows an engine before schema 7 wrote.
 * Those engines kept a skill's own credential (a skill without
 * connections, or a connection with neither base_url nor domain) as a
 * domain row named by the skill id, so a row named `nas` was either the
 * owner's key for the intranet host `nas` or the key of a skill called
 * `nas`; the row itself cannot tell. The installed skills' declarations
 * can, in part, and decide once, the first time the skills are loaded
 * after the upgrade (later installs take no part: a skill added afterwards
 * cannot claim an old row).
 *
 * The rule: a domain row moves to the skill namespace of skill S when
 * - S is installed, its discovery has no error, and one of its
 *   connections is keyed by the skill (the older engine handed S this
 *   very row on every call: the move gives S nothing it did not receive);
 * - the row's name is S's id exactly (ids are lower case, no dots);
 * - no installed skill's connection names that host as a domain or a
 *   `base_url` host (then the row is a host's key, and moving it would
 *   also take it from that connection; it stays a domain row, and S, now
 *   without it, gets nothing);
 * - the name is not `localhost` (the host of every local server: an
 *   Ollama key is stored there) nor `keychain` (the owner's keychain
 *   items);
 * - the owner, an engine before writers were recorded, or S itself wrote
 *   it (a row another skill wrote is that skill's domain row);
 * - it was written before this engine opened the vault (a row the owner
 *   stores while the skills load is a domain's), and not written again
 *   between the listing and the move.
 *
 * Every other row stays a domain row: if it was a skill's after all, that
 * skill now runs without it and the log names the command that stores it
 * again (`agentos secrets set --skill <id>`). Nothing is lost either way.
 *
 * @module
 */
import type { Logger } from "../logger.ts";
import { KEYCHAIN_DOMAIN } from "../broker/mod.ts";
import { skillCredentialDomains } from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";

/** One domain row that was a skill's own. */
export interface SkillRowMove {
  domain: string;
  identifier: string;
  skill: string;
  /** The row's `updated_at` when listed (a row written since stays). */
  updatedAt: string;
}

/** A domain row as the upgrade reads it. */
export interface UpgradeRow {
  domain: string;
  identifier: string;
  writer?: string | null;
  updated_at: string;
}

/** The vault as the upgrade uses it. */
export interface UpgradableVault {
  readonly upgradePending: boolean;
  readonly locked: string | undefined;
  /** When this engine opened the vault: later rows are not an older engine's. */
  readonly openedAt: string;
  list(): UpgradeRow[];
  settleUpgrade(moves: SkillRowMove[]): Promise<void>;
}

/** Names that are hosts or the keychain before they are anyone's skill id. */
const NEVER_A_SKILL_ROW = new Set(["localhost", KEYCHAIN_DOMAIN]);

/**
 * Which domain rows were a skill's own, by the rule of this module.
 *
 * @param rows the vault's domain rows
 * @param skills the installed skills
 * @param openedAt when this engine opened the vault: a row written since
 *   (the owner's `secrets set` while the skills load) is never moved
 * @returns the rows to move, with their skill
 */
export function skillRowMoves(
  rows: UpgradeRow[],
  skills: SkillEntry[],
  openedAt: string,
): SkillRowMove[] {
  const entries = skills.map((skill) => ({
    skill,
    entries: skillCredentialDomains(skill.id, skill.discovery.connections),
  }));
  const hosts = new Set(
    entries.flatMap((s) => s.entries.flatMap((e) => e.candidates)),
  );
  const keyed = new Set(
    entries.filter(({ skill, entries }) =>
      entries.some((e) => e.keyedBySkill) &&
      !skill.discovery.problems.some((p) => p.severity !== "warning")
    ).map(({ skill }) => skill.id),
  );
  return rows.filter((row) =>
    row.updated_at < openedAt &&
    keyed.has(row.domain) && !hosts.has(row.domain) &&
    !NEVER_A_SKILL_ROW.has(row.domain) &&
    [null, undefined, "owner", `skill:${row.domain}`].includes(row.writer)
  ).map((row) => ({
    domain: row.domain,
    identifier: row.identifier,
    skill: row.domain,
    updatedAt: row.updated_at,
  }));
}

/**
 * Sorts the older rows once, if they wait to be (see the module): moves
 * the skills' own to the skill namespace in one transaction and drops the
 * mark. A locked vault waits for the next start.
 *
 * @param vault the vault
 * @param skills the installed skills, loaded
 * @param log where each move, and each row left to a skill's id, is told
 */
export async function upgradeSkillRows(
  vault: UpgradableVault,
  skills: SkillEntry[],
  log: Logger,
): Promise<void> {
  if (!vault.upgradePending || vault.locked !== undefined) return;
  const rows = vault.list();
  const moves = skillRowMoves(rows, skills, vault.openedAt);
  await vault.settleUpgrade(moves);
  for (const move of moves) {
    log.info("Vault row moved to its skill's own namespace", {
      skill: move.skill,
      identifier: move.identifier,
    });
  }
  const moved = new Set(moves.map((m) => `${m.domain}\u0000${m.identifier}`));
  const ids = new Set(skills.map((skill) => skill.id));
  for (const row of rows) {
    if (!ids.has(row.domain)) continue;
    if (moved.has(`${row.domain}\u0000${row.identifier}`)) continue;
    log.warn("Vault row left a domain's, though a skill has its name", {
      domain: row.domain,
      identifier: row.identifier,
      command: `agentos secrets set --skill ${row.domain}`,
    });
  }
}
