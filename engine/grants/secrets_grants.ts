import type { SettingsStore } from "../graph/mod.ts";

/**
 * The owner's `agentos skills allow <skill> --secrets` grants: skills
 * that receive real credential values instead of placeholders, for a
 * skill that splits, encodes or signs with its key (or returns it, as a
 * logo URL does). One `secrets_grant.<skill>` row each in `settings`.
 */
export class SecretsGrants {
  #settings: SettingsStore;

  /** @param settings where grants persist */
  constructor(settings: SettingsStore) {
    this.#settings = settings;
  }

  /**
   * Whether a skill was granted real values.
   *
   * @param skillId the skill
   * @returns true when granted
   */
  has(skillId: string): boolean {
    return this.#settings.get(`secrets_grant.${skillId}`) === true;
  }

  /**
   * Grants or takes back real values.
   *
   * @param skillId the skill
   * @param granted true to grant
   */
  set(skillId: string, granted: boolean): void {
    this.#settings.set(`secrets_grant.${skillId}`, granted ? true : null);
  }
}
