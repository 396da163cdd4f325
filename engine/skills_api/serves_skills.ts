/**
 * Which calling skills a provider serves (`capability.providers`,
 * `skills.list`): a provider holding the owner's local grants serves only
 * skills granted the same (`engine/workers/deputy_check.ts`).
 *
 * @module
 */
import {
  holdsLocalGrants,
  type KeychainGrantStore,
  type LocalGrants,
  missingLocalGrants,
  type ReadGrantStore,
  type RunGrantStore,
} from "../grants/mod.ts";
import type { SkillEntry } from "../skills/mod.ts";

/** The owner's stores of local grants. */
export interface LocalGrantStores {
  readGrants?: ReadGrantStore;
  runGrants?: RunGrantStore;
  keychainGrants: KeychainGrantStore;
}

const NONE: LocalGrants = { reads: [], runs: {}, keychain: [] };

/**
 * What a provider serves a calling skill, in words.
 *
 * @param stores the owner's local grants
 * @param skill the skill
 * @returns the rule, or null when it provides nothing or holds no local grant
 */
export function servesSkills(
  stores: LocalGrantStores,
  skill: SkillEntry,
): string | null {
  if (!skill.discovery.tools.some((tool) => tool.provides.length > 0)) {
    return null;
  }
  const grants: LocalGrants = {
    reads: stores.readGrants?.get(skill.id).paths ?? [],
    runs: stores.runGrants?.get(skill.id) ?? {},
    keychain: stores.keychainGrants.get(skill.id),
  };
  if (!holdsLocalGrants(grants)) return null;
  return `only skills granted the same: ${
    missingLocalGrants(grants, NONE).join("; ")
  } (the owner's apps and clients: always)`;
}
