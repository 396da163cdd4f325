import { join } from "../paths.ts";
import type { SkillFiles } from "./skill_discovery.ts";

/**
 * The bundled skills' directory names (hidden and `_` ones left out).
 *
 * @param dir `python/skills`
 * @returns the names, sorted (none when the directory is missing)
 */
export function bundledNames(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((entry) =>
        entry.isDirectory && !entry.name.startsWith(".") &&
        !entry.name.startsWith("_")
      )
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/**
 * Makes a snapshot readable by the sandbox's user (dirs 0755, files 0644):
 * a root engine's workers read it as nobody (uid 65534). Skill sources are
 * not secret, and the home around them stays owner-only, so nothing else
 * on the host reaches them.
 *
 * @param dir a snapshot directory (nothing happens when it is missing)
 */
export async function shareWithSandbox(dir: string): Promise<void> {
  const info = await Deno.stat(dir).catch(() => undefined);
  if (!info?.isDirectory) return;
  await Deno.chmod(dir, 0o755);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await shareWithSandbox(path);
    else if (entry.isFile) await Deno.chmod(path, 0o644);
  }
}

/**
 * Replaces a snapshot directory with the files just read, atomically.
 *
 * @param dir `$AGENTOS_HOME/skills/<id>`
 * @param files the readme and sources read in the sandbox
 */
export async function writeSnapshot(
  dir: string,
  files: SkillFiles,
): Promise<void> {
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  await Deno.mkdir(parent, { recursive: true, mode: 0o700 });
  const temp = await Deno.makeTempDir({ dir: parent, prefix: ".add-" });
  try {
    if (files.readme !== null) {
      await Deno.writeTextFile(join(temp, "readme.md"), files.readme);
    }
    for (const [path, text] of Object.entries(files.sources)) {
      // Paths come from the sandboxed reader; still refuse to leave `temp`.
      if (path.split("/").some((part) => part === ".." || part === "")) {
        continue;
      }
      const target = join(temp, path);
      await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), {
        recursive: true,
      });
      await Deno.writeTextFile(target, text);
    }
    await shareWithSandbox(temp);
    const old = `${dir}.old-${Date.now()}`;
    await Deno.rename(dir, old).catch(() => {});
    await Deno.rename(temp, dir);
    await Deno.remove(old, { recursive: true }).catch(() => {});
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
}
