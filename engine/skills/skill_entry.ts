/**
 * An installed skill as the runtime knows it (`SkillEntry`): built from
 * what the sandbox read of its directory and the registration `settings`
 * keeps for it (origin, enabled, when added, last success, deferred
 * capabilities).
 *
 * @module
 */
import { type EgressPolicy, egressPolicy } from "../grants/mod.ts";
import type { Discovery, Problem, SkillFiles } from "./skill_discovery.ts";

/** A skill id: lower-case letters, digits, `_` and `-`. */
export const SKILL_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** One installed skill, as the runtime knows it. */
export interface SkillEntry {
  id: string;
  name: string;
  description: string;
  /** `bundled` (in `python/skills/`) or `user` (added with `skills.add`). */
  origin: "bundled" | "user";
  /** The directory it was added from (bundled: its directory in `python/skills/`). */
  dir: string;
  /** Where its files are kept (user skills: a snapshot in `$AGENTOS_HOME/skills/<id>`). */
  filesDir: string;
  enabled: boolean;
  addedAt: string;
  lastSuccessAt?: string;
  /**
   * Capabilities it provides that already had a provider when it was
   * added: it is tried after those until the owner prefers it
   * (`prefs` key `capability.<name>`).
   */
  deferred: string[];
  files: SkillFiles;
  discovery: Discovery;
  egress: EgressPolicy;
}

/** What `settings` keeps per skill under `skill.<id>`. */
export interface SkillSetting {
  origin: "bundled" | "user";
  dir: string;
  enabled: boolean;
  addedAt: string;
  lastSuccessAt?: string;
  deferred?: string[];
}

/**
 * The id a skill declares in its front matter, when valid, else `fallback`.
 *
 * @param read what the sandbox read of the skill
 * @param fallback the id from its folder (or its snapshot's name)
 */
export function skillId(read: Discovery, fallback: string): string {
  const declared = read.front_matter.id;
  return typeof declared === "string" && SKILL_ID_PATTERN.test(declared)
    ? declared
    : fallback;
}

/**
 * The entry of a skill read from `where.filesDir`, with its registration
 * (a new skill starts enabled, added now). A front matter id that is not
 * a valid skill id is reported as a problem.
 *
 * @param read what the sandbox read of the skill
 * @param where its id, origin, directories and registration
 */
export function makeEntry(
  read: Discovery & SkillFiles,
  where: {
    id: string;
    origin: "bundled" | "user";
    dir: string;
    filesDir: string;
    setting: SkillSetting | undefined;
  },
): SkillEntry {
  const { readme, sources, ...discovery } = read;
  const fm = discovery.front_matter;
  const problems: Problem[] = [...discovery.problems];
  if (typeof fm.id === "string" && fm.id !== where.id) {
    problems.push({
      file: "readme.md",
      line: null,
      reason:
        `Front matter id "${fm.id}" is not a valid skill id (${SKILL_ID_PATTERN.source}); using "${where.id}"`,
    });
  }
  const full: Discovery = { ...discovery, problems };
  return {
    id: where.id,
    name: typeof fm.name === "string" ? fm.name : where.id,
    description: typeof fm.description === "string" ? fm.description : "",
    origin: where.origin,
    dir: where.dir,
    filesDir: where.filesDir,
    enabled: where.setting?.enabled ?? true,
    addedAt: where.setting?.addedAt ?? new Date().toISOString(),
    lastSuccessAt: where.setting?.lastSuccessAt,
    deferred: Array.isArray(where.setting?.deferred)
      ? where.setting.deferred.filter((c): c is string => typeof c === "string")
      : [],
    files: { readme, sources },
    discovery: full,
    egress: egressPolicy(full),
  };
}

/**
 * The registration `settings` keeps for a skill.
 *
 * @param skill the skill
 */
export function settingOf(skill: SkillEntry): SkillSetting {
  return {
    origin: skill.origin,
    dir: skill.dir,
    enabled: skill.enabled,
    addedAt: skill.addedAt,
    ...(skill.lastSuccessAt ? { lastSuccessAt: skill.lastSuccessAt } : {}),
    ...(skill.deferred.length > 0 ? { deferred: skill.deferred } : {}),
  };
}
