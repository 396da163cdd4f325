/**
 * The installed skills (`SkillRegistry`): loads the bundled ones and the
 * user-added snapshots, reads and snapshots a skill directory at
 * `skills.add`, removes, enables and disables, and keeps each one's
 * registration in `settings`. What one installed skill is lives in
 * `skill_entry.ts`.
 *
 * @module
 */
import { didYouMean } from "../closest_word.ts";
import { join } from "../paths.ts";
import { ErrorCode, RpcError } from "../errors.ts";
import type { Sandbox } from "../sandbox/mod.ts";
import type { SettingsStore } from "../graph/mod.ts";
import {
  bundledNames,
  shareWithSandbox,
  writeSnapshot,
} from "./skill_snapshot.ts";
import { joinedAfter, type JoinedCapability } from "./provider_join.ts";
import {
  type Discovery,
  readSkillDir,
  type SkillFiles,
} from "./skill_discovery.ts";
import {
  makeEntry,
  settingOf,
  SKILL_ID_PATTERN,
  type SkillEntry,
  skillId,
  type SkillSetting,
} from "./skill_entry.ts";

/** What {@linkcode SkillRegistry.add} did. */
export interface AddedSkill {
  skill: SkillEntry;
  /** Re-added from the folder it was added from. */
  updated: boolean;
  /** The folder of the skill it replaced (`replace`), if another one. */
  replaced?: string;
  /** Capabilities it joined after existing providers, with those providers. */
  deferred: JoinedCapability[];
}

/** Longest a stored last success may trail the one in memory (ms). */
export const SUCCESS_SAVE_MS = 1000;

/** Options for {@linkcode SkillRegistry}. */
export interface SkillRegistryOptions {
  sandbox: Sandbox;
  settings: SettingsStore;
  /** `python/skills`, the bundled skills. */
  bundledDir: string;
  /** `$AGENTOS_HOME/skills`, snapshots of user-added skills. */
  snapshotsDir: string;
  /** Reports skills that could not be loaded. */
  onProblem?: (message: string, fields: Record<string, unknown>) => void;
}

/**
 * The installed skills: bundled ones from `python/skills/` and user-added
 * ones, whose readme and `.py` files are snapshotted into
 * `$AGENTOS_HOME/skills/<id>/` at `skills.add` (re-add to update). Every
 * directory is read and parsed by a sandboxed interpreter, never by the
 * engine itself; a broken skill is kept with its problems. Registrations
 * (origin, enabled, when added, last success) live in `settings`.
 */
export class SkillRegistry {
  #options: SkillRegistryOptions;
  #skills = new Map<string, SkillEntry>();
  /** When each skill's last success was last written to `settings` (ms). */
  #successSaved = new Map<string, number>();

  /** @param options sandbox, settings and directories */
  constructor(options: SkillRegistryOptions) {
    this.#options = options;
  }

  /** Every skill, sorted by id. */
  list(): SkillEntry[] {
    return [...this.#skills.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * One skill.
   *
   * @param id the skill id
   * @returns the skill
   * @throws {RpcError} NotFound
   */
  get(id: string): SkillEntry {
    const skill = this.#skills.get(id);
    if (!skill) {
      throw new RpcError(
        ErrorCode.NotFound,
        `No skill "${id}"${
          didYouMean(id, this.#skills.keys())
        }; see agentos skills list`,
      );
    }
    return skill;
  }

  /**
   * Loads the bundled skills and the user-added snapshots, in parallel.
   * A skill that cannot be read is reported and left out.
   */
  async load(): Promise<void> {
    const settings = new Map(
      this.#options.settings.list("skill.").map((
        [key, value],
      ) => [key.slice("skill.".length), value as SkillSetting]),
    );
    const jobs: Promise<void>[] = [];
    for (const name of bundledNames(this.#options.bundledDir)) {
      const dir = join(this.#options.bundledDir, name);
      jobs.push(this.#loadOne(dir, dir, "bundled", settings, name));
    }
    for (const [id, setting] of settings) {
      if (setting?.origin !== "user") continue;
      const filesDir = join(this.#options.snapshotsDir, id);
      jobs.push(this.#loadOne(setting.dir, filesDir, "user", settings, id));
    }
    await Promise.all(jobs);
  }

  async #loadOne(
    dir: string,
    filesDir: string,
    origin: "bundled" | "user",
    settings: Map<string, SkillSetting>,
    fallbackId: string,
  ): Promise<void> {
    try {
      // Snapshots made before workers ran as nobody are owner-only.
      if (origin === "user") await shareWithSandbox(filesDir);
      const read = await readSkillDir(this.#options.sandbox, filesDir);
      const id = origin === "user" ? fallbackId : skillId(read, fallbackId);
      const setting = settings.get(id)?.origin === origin
        ? settings.get(id)
        : undefined;
      const entry = makeEntry(read, {
        id,
        origin,
        dir,
        filesDir,
        setting,
      });
      this.#skills.set(entry.id, entry);
      if (!setting) this.#save(entry);
    } catch (error) {
      this.#options.onProblem?.("Skill not loaded", {
        dir,
        error: (error as Error).message,
      });
    }
  }

  /**
   * Reads a skill directory in the sandbox without adding it: what
   * `skills validate` checks.
   *
   * @param dir an absolute directory path
   * @returns the id the skill would get, its description and files
   * @throws {RpcError} InvalidParams, NotFound, SandboxUnavailable
   */
  async inspect(
    dir: string,
  ): Promise<{ id: string; read: Discovery & SkillFiles }> {
    if (!dir.startsWith("/")) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Skill directory "${dir}" must be an absolute path`,
      );
    }
    const read = await readSkillDir(this.#options.sandbox, dir);
    if (read.readme === null && Object.keys(read.sources).length === 0) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `"${dir}" is not a skill directory: it has no readme.md and no .py files`,
      );
    }
    const fallback = dir.replace(/\/+$/, "").split("/").at(-1)!.toLowerCase()
      .replaceAll(/[^a-z0-9_-]/g, "-");
    const id = skillId(read, fallback);
    if (!SKILL_ID_PATTERN.test(id)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Cannot derive a skill id from "${dir}": set "id" in its readme front matter (${SKILL_ID_PATTERN.source})`,
      );
    }
    return { id, read };
  }

  /**
   * Adds a skill directory, or updates a skill added from it before: its
   * files are read in the sandbox and snapshotted into the home. A skill
   * whose id is installed from another folder replaces it only with
   * `replace` (the caller drops the old one's grants). A capability that
   * already has a provider gets this skill after the existing ones.
   *
   * @param dir an absolute directory path
   * @param options `check` sees the skill before anything is written and
   *   may throw to refuse it; `replace` allows replacing a skill added
   *   from another folder
   * @returns the skill, whether it updated or replaced one, and the
   *   capabilities it joined after existing providers
   * @throws {RpcError} InvalidParams, NotFound, Conflict (a bundled id, or
   *   an id installed from another folder without `replace`), SandboxUnavailable
   */
  async add(
    dir: string,
    options: {
      check?: (read: Discovery, id: string) => void;
      replace?: boolean;
    } = {},
  ): Promise<AddedSkill> {
    const { id, read } = await this.inspect(dir);
    const existing = this.#skills.get(id);
    const replacing = refuseTaken(id, dir, existing, options.replace);
    options.check?.(read, id);
    const filesDir = join(this.#options.snapshotsDir, id);
    await writeSnapshot(filesDir, read);
    // An update keeps its state; a replacement starts like a new skill.
    const kept = replacing ? undefined : existing;
    const entry = makeEntry(read, {
      id,
      origin: "user",
      dir,
      filesDir,
      setting: kept ? updatedSetting(kept, dir) : undefined,
    });
    const deferred = joinedAfter(entry, {
      before: kept,
      installed: this.list(),
    });
    entry.deferred = [
      ...new Set([...entry.deferred, ...deferred.map((d) => d.capability)]),
    ].sort();
    this.#skills.set(id, entry);
    this.#save(entry);
    return {
      skill: entry,
      updated: kept !== undefined,
      ...(replacing ? { replaced: existing!.dir } : {}),
      deferred,
    };
  }

  /**
   * Removes a user-added skill: its registration and snapshot. What it
   * wrote to the graph stays.
   *
   * @param id the skill id
   * @throws {RpcError} NotFound; Forbidden for a bundled skill (disable it instead)
   */
  async remove(id: string): Promise<SkillEntry> {
    const skill = this.get(id);
    if (skill.origin === "bundled") {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${id}" is bundled with AgentOS and cannot be removed; disable it with skills.disable`,
      );
    }
    this.#skills.delete(id);
    this.#options.settings.set(`skill.${id}`, null);
    await Deno.remove(skill.filesDir, { recursive: true }).catch(() => {});
    return skill;
  }

  /**
   * Enables or disables a skill (a disabled skill provides nothing and
   * cannot run).
   *
   * @param id the skill id
   * @param enabled the new state
   * @returns the skill
   */
  setEnabled(id: string, enabled: boolean): SkillEntry {
    const skill = this.get(id);
    skill.enabled = enabled;
    this.#save(skill);
    return skill;
  }

  /**
   * Records a successful call (freshness, for capability provider order):
   * at once in memory, where providers are ordered; in `settings` when the
   * stored time is {@linkcode SUCCESS_SAVE_MS} or more behind (a write per
   * call cost ~0.6 ms of every call's path), so a restart may find it up
   * to that much older.
   *
   * @param id the skill id
   */
  markSuccess(id: string): void {
    const skill = this.#skills.get(id);
    if (!skill) return;
    const now = Date.now();
    skill.lastSuccessAt = new Date(now).toISOString();
    const saved = this.#successSaved.get(id) ?? -Infinity;
    if (now - saved < SUCCESS_SAVE_MS) return;
    this.#successSaved.set(id, now);
    this.#save(skill);
  }

  #save(skill: SkillEntry): void {
    this.#options.settings.set(`skill.${skill.id}`, settingOf(skill));
  }
}

/**
 * Refuses an id taken by a bundled skill, or installed from another
 * folder unless replacing it.
 *
 * @returns whether the skill replaces one added from another folder
 * @throws {RpcError} Conflict
 */
function refuseTaken(
  id: string,
  dir: string,
  existing: SkillEntry | undefined,
  replace: boolean | undefined,
): boolean {
  if (existing?.origin === "bundled") {
    throw new RpcError(
      ErrorCode.Conflict,
      `Skill id "${id}" is taken by a bundled skill; give yours another "id" in its readme front matter`,
    );
  }
  const replacing = existing !== undefined &&
    existing.dir.replace(/\/+$/, "") !== dir.replace(/\/+$/, "");
  if (replacing && !replace) {
    throw new RpcError(
      ErrorCode.Conflict,
      `Skill id "${id}" is already installed from "${existing.dir}"; adding "${dir}" would replace it. To replace it (its grants are dropped) run: agentos skills add --replace ${dir}`,
      { id, installedFrom: existing.dir },
    );
  }
  return replacing;
}

/** The registration of a re-added skill: its state kept, added now. */
function updatedSetting(kept: SkillEntry, dir: string): SkillSetting {
  return {
    origin: "user",
    dir,
    enabled: kept.enabled,
    addedAt: new Date().toISOString(),
    lastSuccessAt: kept.lastSuccessAt,
    deferred: kept.deferred,
  };
}
