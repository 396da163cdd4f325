/**
 * Keychain items a skill may read: those its readme declares
 * (`keychain: [Chrome Safe Storage]`) that the owner granted one by one
 * (`agentos skills allow <skill> --keychain <item>`). An item is named by
 * its service; the grant covers each account under it.
 *
 * @module
 */
import { invalidParams } from "../errors.ts";
import type { SettingsStore } from "../graph/mod.ts";
import type { DeclaredSkill } from "./declared_skill.ts";

/** A keychain item's name: 1-200 characters, none of them a control character. */
function isItemName(name: string): boolean {
  return name.length > 0 && name.length <= 200 &&
    ![...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/**
 * The keychain items a skill's readme declares (`keychain: [...]`).
 *
 * @param discovery the skill's declaration
 * @returns the declared item names
 */
export function declaredKeychainItems(discovery: DeclaredSkill): string[] {
  const raw = discovery.front_matter.keychain;
  const list = Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : [];
  return list.filter((n): n is string =>
    typeof n === "string" && isItemName(n)
  );
}

/** The owner's `--keychain` grants, one `keychain.<skill>` row each in `settings`. */
export class KeychainGrantStore {
  #settings: SettingsStore;

  /** @param settings where grants persist */
  constructor(settings: SettingsStore) {
    this.#settings = settings;
  }

  /**
   * The items granted to a skill.
   *
   * @param skillId the skill
   * @returns granted item names
   */
  get(skillId: string): string[] {
    const stored = this.#settings.get(`keychain.${skillId}`);
    return Array.isArray(stored)
      ? stored.filter((n): n is string => typeof n === "string")
      : [];
  }

  /**
   * Grants or takes back one item; only an item the skill declares may be
   * granted.
   *
   * @param skill the skill's id and declaration
   * @param item the item's name (its service)
   * @param granted true to grant
   * @returns the items granted now
   * @throws {RpcError} InvalidParams for an item the readme does not declare
   */
  set(
    skill: { id: string; discovery: DeclaredSkill },
    item: string,
    granted: boolean,
  ): string[] {
    const declared = declaredKeychainItems(skill.discovery);
    if (granted && !declared.includes(item)) {
      throw invalidParams(
        `Skill "${skill.id}" does not declare the keychain item ${
          JSON.stringify(item.slice(0, 200))
        } in its readme (keychain: [${
          declared.join(", ")
        }]); only a declared item can be granted`,
      );
    }
    const kept = this.get(skill.id).filter((n) => n !== item);
    const now = granted ? [...kept, item].sort() : kept;
    this.#settings.set(`keychain.${skill.id}`, now.length > 0 ? now : null);
    return now;
  }

  /** Forgets every grant of a removed skill. */
  remove(skillId: string): void {
    this.#settings.set(`keychain.${skillId}`, null);
  }
}
