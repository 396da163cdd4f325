import { invalidParams } from "../errors.ts";
import { expandHome, isCleanAbsolute } from "./run_grants.ts";
import type { SettingsStore } from "../graph/mod.ts";

/** What the owner let a skill read with `sql.query`: files or directories of the host. */
export interface ReadGrants {
  /** Real absolute paths (a directory covers what lies under it). */
  paths: string[];
  /** The owner's home, for the `~` a skill writes. */
  home?: string;
  /**
   * Each granted path's `device:inode` when the owner granted it: a query
   * runner refuses a granted path that is no longer that inode (the
   * folder replaced by a link or by another folder).
   */
  pins?: Record<string, string>;
}

/** A pin as the CLI sends it: `device:inode`. */
const PIN = /^[0-9]{1,20}:[0-9]{1,20}$/;

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
      ...(stored?.pins && typeof stored.pins === "object"
        ? { pins: stored.pins }
        : {}),
    };
  }

  /**
   * Grants a path (resolved to its real path by the owner's CLI).
   *
   * @param skillId the skill
   * @param path an absolute file or directory path
   * @param home the owner's home, for `~`
   * @param pin the path's `device:inode` as the CLI found it
   * @returns the grants now
   * @throws {RpcError} InvalidParams for a path that is not clean and absolute
   */
  allow(
    skillId: string,
    path: string,
    home?: string,
    pin?: string,
  ): ReadGrants {
    if (pin !== undefined && !PIN.test(pin)) {
      throw invalidParams(`"pin" must be "device:inode"`);
    }
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
    if (pin) grants.pins = { ...grants.pins, [path]: pin };
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
    const pins = { ...grants.pins };
    delete pins[path];
    this.#settings.set(`read.${skillId}`, { ...grants, paths: kept, pins });
    return true;
  }

  /** Forgets every grant of a removed skill. */
  remove(skillId: string): void {
    this.#settings.set(`read.${skillId}`, undefined);
  }
}

/** A path a skill named, with the grant that covers it. */
export interface GrantedPath {
  /** The absolute path as named (`~` expanded); links are resolved at use. */
  path: string;
  /** The granted file or folder it lies in. */
  root: string;
  /** That grant's `device:inode` when it was granted, if known. */
  pin?: string;
}

/**
 * The grant a skill's database path names, or undefined: `~` is the
 * owner's home; the path must be clean and equal a granted file or lie
 * under a granted directory. This is a check of the name only: the query
 * runner resolves it again inside a view holding only the grant.
 *
 * @param requested the path as the skill wrote it
 * @param grants the skill's read grants
 * @returns the absolute path and its grant, or undefined when not granted
 */
export function grantedPath(
  requested: string,
  grants: ReadGrants,
): GrantedPath | undefined {
  const path = expandHome(requested, grants.home);
  if (!isCleanAbsolute(path)) return undefined;
  const root = grants.paths.find((g) => path === g || path.startsWith(`${g}/`));
  if (root === undefined) return undefined;
  const pin = grants.pins?.[root];
  return { path, root, ...(pin ? { pin } : {}) };
}
