import { invalidParams } from "../errors.ts";
import { expandHome, isCleanAbsolute } from "./run_grants.ts";
import type { SettingsStore } from "../graph/mod.ts";

/** What the owner let a skill read with `sql.query`: files or directories of the host. */
export interface ReadGrants {
  /** Real absolute paths (a directory covers what lies under it). */
  paths: string[];
  /** The owner's home, for the `~` a skill writes. */
  home?: string;
}

/**
 * The owner's `--read` grants, one `read.<skill>` row each in `settings`:
 * the local databases (an application's own, outside the engine home) a
 * skill may open read-only.
 */
export class ReadGrantStore {
  #settings: SettingsStore;

  /** @param settings where grants persist */
  constructor(settings: SettingsStore) {
    this.#settings = settings;
  }

  /**
   * A skill's read grants.
   *
   * @param skillId the skill
   * @returns the granted paths and the owner's home
   */
  get(skillId: string): ReadGrants {
    const stored = this.#settings.get(`read.${skillId}`) as
      | Partial<ReadGrants>
      | undefined;
    return {
      paths: Array.isArray(stored?.paths)
        ? stored.paths.filter((p): p is string => typeof p === "string")
        : [],
      ...(typeof stored?.home === "string" ? { home: stored.home } : {}),
    };
  }

  /**
   * Grants a path (resolved to its real path by the owner's CLI).
   *
   * @param skillId the skill
   * @param path an absolute file or directory path
   * @param home the owner's home, for `~`
   * @returns the grants now
   * @throws {RpcError} InvalidParams for a path that is not clean and absolute
   */
  allow(skillId: string, path: string, home?: string): ReadGrants {
    for (const p of [path, ...(home ? [home] : [])]) {
      if (!isCleanAbsolute(p) || p === "/") {
        throw invalidParams(
          `"${
            p.slice(0, 200)
          }" must be an absolute path (not /) without "." or ".." parts`,
        );
      }
    }
    const grants = this.get(skillId);
    if (!grants.paths.includes(path)) grants.paths.push(path);
    if (home) grants.home = home;
    this.#settings.set(`read.${skillId}`, grants);
    return grants;
  }

  /**
   * Takes a path's grant back.
   *
   * @param skillId the skill
   * @param path the granted path
   * @returns whether it was granted
   */
  disallow(skillId: string, path: string): boolean {
    const grants = this.get(skillId);
    const kept = grants.paths.filter((p) => p !== path);
    if (kept.length === grants.paths.length) return false;
    this.#settings.set(`read.${skillId}`, { ...grants, paths: kept });
    return true;
  }

  /** Forgets every grant of a removed skill. */
  remove(skillId: string): void {
    this.#settings.set(`read.${skillId}`, undefined);
  }
}

/**
 * The granted path a skill's database path names, or undefined: `~` is
 * the owner's home; the path must be clean and equal a granted file or lie
 * under a granted directory.
 *
 * @param requested the path as the skill wrote it
 * @param grants the skill's read grants
 * @returns the absolute path to open, or undefined when not granted
 */
export function grantedPath(
  requested: string,
  grants: ReadGrants,
): string | undefined {
  const path = expandHome(requested, grants.home);
  if (!isCleanAbsolute(path)) return undefined;
  return grants.paths.some((g) => path === g || path.startsWith(`${g}/`))
    ? path
    : undefined;
}
