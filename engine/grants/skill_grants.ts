import { ErrorCode, RpcError } from "../errors.ts";
import type { SettingsStore } from "../graph/mod.ts";

/** What the owner allowed one skill beyond what it declares. */
export interface SkillGrants {
  /**
   * Exact hosts (no subdomains) the skill may reach: `host:port` covers
   * that port and may be private; a bare `host` covers every port of a
   * public host (see `host_grant.ts`).
   */
  hosts: string[];
  /** Any public host (only effective when the skill declares `open_web`). */
  openWeb: boolean;
  /** True while these are the defaults of a bundled skill, not the owner's choice. */
  byDefault: boolean;
}

/** What a bundled skill is granted until the owner changes it. */
export interface GrantDefaults {
  hosts: string[];
  openWeb: boolean;
}

/**
 * The owner's egress grants, one `grants.<skill>` row each in `settings`:
 * hosts a skill may reach besides its declared ones, and open web access
 * for a skill that declares `open_web`. A bundled skill starts with
 * defaults (what it declares), kept until the owner changes its grants.
 */
export class SkillGrantStore {
  #settings: SettingsStore;

  /** @param settings where grants persist */
  constructor(settings: SettingsStore) {
    this.#settings = settings;
  }

  /**
   * A skill's grants.
   *
   * @param skillId the skill
   * @param defaults its defaults when the owner never changed them
   * @returns the grants
   */
  get(skillId: string, defaults?: GrantDefaults): SkillGrants {
    const stored = this.#settings.get(`grants.${skillId}`) as
      | { hosts?: unknown; openWeb?: unknown }
      | undefined;
    if (stored && typeof stored === "object") {
      return {
        hosts: Array.isArray(stored.hosts)
          ? stored.hosts.filter((h): h is string => typeof h === "string")
          : [],
        openWeb: stored.openWeb === true,
        byDefault: false,
      };
    }
    return {
      hosts: [...(defaults?.hosts ?? [])],
      openWeb: defaults?.openWeb ?? false,
      byDefault: true,
    };
  }

  /**
   * Grants a host or open web access.
   *
   * @param skillId the skill
   * @param change `host` or `openWeb: true`
   * @param defaults the skill's defaults (kept as the starting point)
   * @returns the new grants
   */
  allow(
    skillId: string,
    change: { host?: string; openWeb?: boolean },
    defaults?: GrantDefaults,
  ): SkillGrants {
    const grants = this.get(skillId, defaults);
    if (change.host !== undefined && !grants.hosts.includes(change.host)) {
      grants.hosts = [...grants.hosts, change.host].sort();
    }
    if (change.openWeb) grants.openWeb = true;
    return this.#save(skillId, grants);
  }

  /**
   * Takes back a host or open web access.
   *
   * @param skillId the skill
   * @param change `host` or `openWeb: true`
   * @param defaults the skill's defaults
   * @returns the new grants
   * @throws {RpcError} NotFound when that host was not granted
   */
  disallow(
    skillId: string,
    change: { host?: string; openWeb?: boolean },
    defaults?: GrantDefaults,
  ): SkillGrants {
    const grants = this.get(skillId, defaults);
    if (change.host !== undefined) {
      if (!grants.hosts.includes(change.host)) {
        throw new RpcError(
          ErrorCode.NotFound,
          `Skill "${skillId}" was not granted host "${change.host}"; its grants: ${
            grants.hosts.join(", ") || "(none)"
          }`,
        );
      }
      grants.hosts = grants.hosts.filter((h) => h !== change.host);
    }
    if (change.openWeb) grants.openWeb = false;
    return this.#save(skillId, grants);
  }

  /**
   * Forgets a removed skill's grants.
   *
   * @param skillId the skill
   */
  remove(skillId: string): void {
    this.#settings.set(`grants.${skillId}`, null);
  }

  #save(skillId: string, grants: SkillGrants): SkillGrants {
    this.#settings.set(`grants.${skillId}`, {
      hosts: grants.hosts,
      openWeb: grants.openWeb,
    });
    return { ...grants, byDefault: false };
  }
}
