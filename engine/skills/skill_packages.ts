import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import { join } from "../paths.ts";
import type { Discovery } from "./skill_discovery.ts";
import { inferredRequirements } from "./package_inference.ts";

/** One requirement as a readme's `requires:` gives it: `name==1.2`, `name>=1`, `name`. */
const REQUIREMENT =
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\[[A-Za-z0-9,._-]+\])?((==|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]{1,50})?$/;

/** What `skills deps` installed for a skill: kept in `skill-packages/<id>/lock.json`. */
export interface PackageLock {
  /** The readme's `requires:` the install satisfied. */
  requires: string[];
  /** Every wheel installed, with its SHA-256: the directory name is their hash. */
  wheels: { file: string; sha256: string }[];
  /** Directory (under `skill-packages/<id>/`) holding the installed packages. */
  dir: string;
  installedAt: string;
}

/** The state of a skill's packages. */
export type PackageState =
  | { kind: "none" }
  | { kind: "installed"; lock: PackageLock; path: string }
  | { kind: "missing"; requires: string[]; reason: string };

/** Options for {@linkcode installPackages}. */
export interface InstallOptions {
  /** The real interpreter (pip runs as `python -m pip`). */
  python: string;
  /** `$AGENTOS_HOME/skill-packages`. */
  root: string;
  /** Package index URL (default: the user's pip configuration). */
  indexUrl?: string;
  /** A local directory of wheels; with it, no index is asked. */
  findLinks?: string;
  /** Receives one line per step. */
  onProgress?: (line: string) => void;
}

/**
 * The Python packages a skill declares in its readme (`requires:` with
 * versions, e.g. `[lxml==5.2.1]`).
 *
 * @param discovery the skill's discovery
 * @returns the requirements, in the readme's order
 * @throws {RpcError} InvalidParams for a malformed `requires:`
 */
export function declaredRequirements(discovery: Discovery): string[] {
  const raw = discovery.front_matter.requires;
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  for (const item of list) {
    if (typeof item !== "string" || !REQUIREMENT.test(item.trim())) {
      throw invalidParams(
        `readme "requires:" must list packages such as "lxml==5.2.1", got ${
          JSON.stringify(item)?.slice(0, 100)
        }`,
      );
    }
  }
  return list.map((item) => (item as string).trim());
}

/**
 * The packages a skill needs: its readme's `requires:`, or, when it
 * declares none, the distributions of its required imports.
 *
 * @param discovery the skill's discovery
 * @returns the requirements and whether they were inferred
 * @throws {RpcError} InvalidParams for a malformed `requires:`
 */
export function skillRequirements(
  discovery: Discovery,
): { requires: string[]; inferred: boolean } {
  const declared = declaredRequirements(discovery);
  return declared.length > 0
    ? { requires: declared, inferred: false }
    : { requires: inferredRequirements(discovery), inferred: true };
}

/**
 * Whether a skill's packages (declared or inferred) are installed, and where.
 *
 * @param skill the skill's id and discovery
 * @param root `$AGENTOS_HOME/skill-packages`
 * @returns none declared, installed (with the lock), or missing (with why)
 */
export async function packageState(
  skill: { id: string; discovery: Discovery },
  root: string,
): Promise<PackageState> {
  const { requires } = skillRequirements(skill.discovery);
  if (requires.length === 0) return { kind: "none" };
  let lock: PackageLock;
  try {
    lock = JSON.parse(
      await Deno.readTextFile(join(root, skill.id, "lock.json")),
    );
  } catch {
    return { kind: "missing", requires, reason: "not installed" };
  }
  if (JSON.stringify(lock.requires) !== JSON.stringify(requires)) {
    return {
      kind: "missing",
      requires,
      reason: `installed for ${lock.requires.join(", ")}; the readme now says ${
        requires.join(", ")
      }`,
    };
  }
  return { kind: "installed", lock, path: join(root, skill.id, lock.dir) };
}

/**
 * The error a call of a skill with missing packages fails with: it names
 * the command that installs them.
 *
 * @param skillId the skill
 * @param state its package state
 * @returns the error
 */
export function missingPackages(
  skillId: string,
  state: Extract<PackageState, { kind: "missing" }>,
): RpcError {
  return new RpcError(
    ErrorCode.Forbidden,
    `Skill "${skillId}" needs Python packages (${
      state.requires.join(", ")
    }) that are ${state.reason}; install them with: agentos skills deps ${skillId}`,
    { check: "packages", requires: state.requires },
  );
}

/**
 * Installs a skill's packages (declared, or inferred from its imports) as wheels only (`--only-binary
 * :all:`: no source build, so nothing runs at install time) into
 * `skill-packages/<id>/<hash>/`, the hash of the exact wheels, and writes
 * the lock beside it. The previous install stays in use until the new one
 * is complete; then it is removed.
 *
 * @param skill the skill's id and discovery
 * @param options interpreter, root, index or local wheels
 * @returns the lock written
 * @throws {RpcError} InvalidParams (nothing declared), SkillFailed (pip failed, with its last lines)
 */
export async function installPackages(
  skill: { id: string; discovery: Discovery },
  options: InstallOptions,
): Promise<PackageLock> {
  const { requires } = skillRequirements(skill.discovery);
  if (requires.length === 0) {
    throw invalidParams(
      `Skill "${skill.id}" declares no packages (readme "requires:") and imports none outside the standard library`,
    );
  }
  const home = join(options.root, skill.id);
  await Deno.mkdir(home, { recursive: true });
  const download = await Deno.makeTempDir({ dir: home, prefix: ".download-" });
  try {
    const source = options.findLinks
      ? ["--no-index", "--find-links", options.findLinks]
      : options.indexUrl
      ? ["--index-url", options.indexUrl]
      : [];
    options.onProgress?.(`downloading ${requires.join(", ")}`);
    await pip(options.python, [
      "download",
      "--only-binary",
      ":all:",
      "--dest",
      download,
      ...source,
      ...requires,
    ]);
    const wheels = [];
    for await (const entry of Deno.readDir(download)) {
      if (!entry.isFile || !entry.name.endsWith(".whl")) continue;
      const bytes = await Deno.readFile(join(download, entry.name));
      wheels.push({ file: entry.name, sha256: await sha256(bytes) });
    }
    wheels.sort((a, b) => a.file.localeCompare(b.file));
    const dir = (await sha256(
      new TextEncoder().encode(
        wheels.map((w) => `${w.file} ${w.sha256}`).join("\n"),
      ),
    )).slice(0, 16);
    const target = join(home, dir);
    await Deno.remove(target, { recursive: true }).catch(() => {});
    options.onProgress?.(`installing ${wheels.length} wheel(s)`);
    await pip(options.python, [
      "install",
      "--no-index",
      "--no-deps",
      "--no-compile",
      "--only-binary",
      ":all:",
      "--target",
      target,
      ...wheels.map((w) => join(download, w.file)),
    ]);
    const lock: PackageLock = {
      requires,
      wheels,
      dir,
      installedAt: new Date().toISOString(),
    };
    const temp = join(home, ".lock.json.tmp");
    await Deno.writeTextFile(temp, JSON.stringify(lock, null, 2) + "\n");
    await Deno.rename(temp, join(home, "lock.json"));
    for await (const entry of Deno.readDir(home)) {
      if (
        entry.isDirectory && entry.name !== dir && !entry.name.startsWith(".")
      ) {
        await Deno.remove(join(home, entry.name), { recursive: true });
      }
    }
    return lock;
  } finally {
    await Deno.remove(download, { recursive: true }).catch(() => {});
  }
}

async function pip(python: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(python, {
    args: [
      "-m",
      "pip",
      ...args,
      "--disable-pip-version-check",
      "--no-input",
      "--quiet",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const tail = new TextDecoder().decode(out.stderr).trim().split("\n")
      .slice(-6).join("\n");
    throw new RpcError(
      ErrorCode.SkillFailed,
      `pip ${args[0]} failed (exit ${out.code}): ${tail.slice(0, 2000)}`,
    );
  }
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
