import { invalidParams } from "../errors.ts";
import type { SettingsStore } from "../graph/mod.ts";
import type { DeclaredSkill } from "./declared_skill.ts";
import { PROGRAM_RULES } from "./program_rules.ts";

/** What the owner allowed a skill to run: one program and where. */
export interface RunGrant {
  /** The absolute path it was resolved to when granted (run as is). */
  path: string;
  /** The one host directory it may write, and its default working directory. */
  cwd?: string;
  /** Host directories of the user's config it may read (e.g. `~/.config/gh`). */
  config: string[];
  /** `$HOME` inside, so the program finds its config at the usual place. */
  home?: string;
  /** Whether it may use the network (only through the engine's proxy: the skill's egress, audited). */
  net: boolean;
  /** Whether it may write `cwd` (`--write`); read-only without. */
  write?: boolean;
  /** What one call may write into `cwd`, in bytes (`--write-limit`; default 64 MiB). */
  writeBytes?: number;
  /** `cwd`'s `device:inode` when granted: another inode there is refused. */
  pin?: string;
}

/** Programs that run other programs or code: never runnable, whatever is granted. */
export const NEVER_RUNNABLE = new Set([
  "sh",
  "bash",
  "dash",
  "zsh",
  "fish",
  "ksh",
  "mksh",
  "csh",
  "tcsh",
  "busybox",
  "env",
  "xargs",
  "nohup",
  "timeout",
  "nice",
  "sudo",
  "su",
  "doas",
  "pkexec",
  "setsid",
  "script",
  // Launchers, as env and nice: each starts the program it is given.
  "stdbuf",
  "flock",
  "taskset",
  "ionice",
  "chrt",
  "prlimit",
  "setpriv",
  "unshare",
  "nsenter",
  "chroot",
  "runuser",
  "sg",
  "fakeroot",
  "systemd-run",
  "watch",
  "time",
  "strace",
  "ltrace",
  "gdb",
  "valgrind",
  "python",
  "python2",
  "python3",
  "perl",
  "ruby",
  "node",
  "deno",
  "bun",
  "php",
  "lua",
  "tclsh",
  "awk",
  "gawk",
  "mawk",
  "osascript",
  "bwrap",
]);

/** Where a granted program name is looked up (the engine's own PATH is not consulted). */
export const PROGRAM_DIRS = ["/usr/local/bin", "/usr/bin", "/bin"];

const PROGRAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

/**
 * Whether a program name is one an interpreter or launcher answers to
 * (`python3.11`, `bash5` included).
 *
 * @param name a base name
 * @returns true when it must never run
 */
export function isInterpreter(name: string): boolean {
  const bare = name.toLowerCase().replace(/[0-9.]+$/, "");
  return [name.toLowerCase(), bare].some((n) =>
    NEVER_RUNNABLE.has(n) || PROGRAM_RULES[n]?.never === true
  );
}

/**
 * The programs a skill names: the readme's optional `shell: [git, gh]` and
 * the literal names at its `shell.run` call sites (discovery's
 * `shell_programs`). A full path inside {@linkcode PROGRAM_DIRS} counts as
 * its name (`/usr/bin/security` is `security`); other paths are dropped.
 * These are what `skills list` offers the owner to grant: the owner's
 * `--run` grant, not this list, is what lets a program run.
 *
 * @param discovery the skill's discovery
 * @returns the names, readme first, each once
 */
export function declaredPrograms(
  discovery: DeclaredSkill & { shell_programs?: { program: string }[] },
): string[] {
  const raw = discovery.front_matter.shell;
  const listed = Array.isArray(raw)
    ? raw
    : typeof raw === "string"
    ? [raw]
    : [];
  const scanned = (discovery.shell_programs ?? []).map((p) => p.program);
  const names = [...listed, ...scanned].map((n) =>
    typeof n === "string" && n.startsWith("/") ? programInDirs(n) : n
  );
  return [
    ...new Set(
      names.filter((n): n is string =>
        typeof n === "string" && PROGRAM_NAME.test(n)
      ),
    ),
  ];
}

/**
 * The program name of a full path directly inside one of
 * {@linkcode PROGRAM_DIRS} (`/usr/bin/security` → `security`), or
 * undefined for any other path (`/tmp/git`, `/usr/bin/../bin/git`).
 *
 * @param path a path as a skill gives it
 * @returns the name, or undefined
 */
export function programInDirs(path: string): string | undefined {
  const slash = path.lastIndexOf("/");
  const name = path.slice(slash + 1);
  return PROGRAM_DIRS.includes(path.slice(0, slash)) && PROGRAM_NAME.test(name)
    ? name
    : undefined;
}

/**
 * The owner's `--run` grants, one `run.<skill>` row each in `settings`.
 */
export class RunGrantStore {
  #settings: SettingsStore;

  /** @param settings where grants persist */
  constructor(settings: SettingsStore) {
    this.#settings = settings;
  }

  /**
   * A skill's run grants by program name.
   *
   * @param skillId the skill
   * @returns program name → grant
   */
  get(skillId: string): Record<string, RunGrant> {
    const stored = this.#settings.get(`run.${skillId}`);
    return stored && typeof stored === "object"
      ? stored as Record<string, RunGrant>
      : {};
  }

  /**
   * Grants a program. The owner's CLI resolves its name to an absolute path
   * under {@linkcode PROGRAM_DIRS} (the engine reads no host directory);
   * here the name, the path and the directories are checked again, and an
   * interpreter is refused by its name and by the name it resolved to.
   *
   * @param skillId the skill
   * @param program the program's name, e.g. `git`
   * @param grant its resolved path, writable directory, config, home, network
   * @returns the grant stored
   * @throws {RpcError} InvalidParams for an interpreter, a bad path or name
   */
  allow(skillId: string, program: string, grant: RunGrant): RunGrant {
    if (!PROGRAM_NAME.test(program)) {
      throw invalidParams(
        `"${
          program.slice(0, 100)
        }" is not a program name: give its name (git), not a path`,
      );
    }
    const target = grant.path.slice(grant.path.lastIndexOf("/") + 1);
    if (isInterpreter(program) || isInterpreter(target)) {
      throw invalidParams(
        `"${program}" (${
          grant.path.slice(0, 200)
        }) runs other programs or code, so no skill may run it`,
      );
    }
    const dirs = [
      grant.path,
      ...(grant.cwd ? [grant.cwd] : []),
      ...(grant.home ? [grant.home] : []),
      ...grant.config,
    ];
    for (const dir of dirs) {
      if (!isCleanAbsolute(dir)) {
        throw invalidParams(
          `"${
            dir.slice(0, 200)
          }" must be an absolute path without "." or ".." parts`,
        );
      }
    }
    checkWriteGrant(grant);
    const all = this.get(skillId);
    all[program] = grant;
    this.#settings.set(`run.${skillId}`, all);
    return grant;
  }

  /**
   * Takes a program's grant back.
   *
   * @param skillId the skill
   * @param program the program's name
   * @returns whether there was one
   */
  disallow(skillId: string, program: string): boolean {
    const all = this.get(skillId);
    if (!(program in all)) return false;
    delete all[program];
    this.#settings.set(`run.${skillId}`, all);
    return true;
  }

  /** Forgets every grant of a removed skill. */
  remove(skillId: string): void {
    this.#settings.set(`run.${skillId}`, undefined);
  }
}

/**
 * Whether a path is absolute and has no empty, `.` or `..` part.
 *
 * @param path a host path
 * @returns true for `/a/b`, false for `a/b`, `/a/../b`, `/a//b`
 */
export function isCleanAbsolute(path: string): boolean {
  if (!path.startsWith("/") || path.length > 4096) return false;
  if (path === "/") return true;
  return path.slice(1).split("/").every((part) =>
    part !== "" && part !== "." && part !== ".." && !part.includes("\0")
  );
}

/**
 * A path as a skill wrote it with `~` meaning the owner's home (left as it
 * is when the home is unknown or the path has no `~`).
 *
 * @param path e.g. `~/src/app`
 * @param home the owner's home, from the grant
 * @returns the path with `~` replaced
 */
export function expandHome(path: string, home: string | undefined): string {
  return home && (path === "~" || path.startsWith("~/"))
    ? home + path.slice(1)
    : path;
}

/** Most an owner may let one call write into a granted folder (the call holds it in memory). */
export const MAX_GRANT_WRITE_BYTES = 4 * 1024 * 1024 * 1024;

/** `--write`, `--write-limit` and the pin of a grant, checked before it is stored. */
function checkWriteGrant(grant: RunGrant): void {
  const bytes = grant.writeBytes;
  if (
    bytes !== undefined &&
    !(Number.isInteger(bytes) && bytes >= 1024 * 1024 &&
      bytes <= MAX_GRANT_WRITE_BYTES)
  ) {
    throw invalidParams(
      `"writeBytes" must be a whole number of bytes from 1 MiB to 4 GiB`,
    );
  }
  if ((grant.write || bytes !== undefined) && grant.cwd === undefined) {
    throw invalidParams(`--write and --write-limit need a folder (--cwd DIR)`);
  }
  if (grant.pin !== undefined && !/^[0-9]{1,20}:[0-9]{1,20}$/.test(grant.pin)) {
    throw invalidParams(`"pin" must be "device:inode"`);
  }
}
