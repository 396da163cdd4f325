/**
 * The identities (`device:inode`) of the engine's own files and folders,
 * so a query runner can refuse them whatever name reaches them: a
 * symlink, a directory link, a hard link, or a granted folder replaced by
 * a link all lead to the same inode.
 *
 * @module
 */

/** Most entries read: the home's own layout, not what skills keep in it. */
const MAX_ENTRIES = 4096;

/**
 * `device:inode` of `$AGENTOS_HOME`, everything directly in it, and
 * everything directly in its folders (`data/agentos.db` and its `-wal`
 * and `-shm`, the logs, the socket, each skill's data folder…).
 *
 * @param home the engine's home
 * @returns the identities, at most {@linkcode MAX_ENTRIES}
 */
export async function engineFileIds(home: string): Promise<string[]> {
  const ids = new Set<string>();
  const add = async (path: string) => {
    const info = await Deno.lstat(path).catch(() => undefined);
    if (info?.dev !== undefined && info.ino !== null) {
      ids.add(`${info.dev}:${info.ino}`);
    }
    return info;
  };
  await add(home);
  for (const entry of await entries(home)) {
    if (ids.size >= MAX_ENTRIES) break;
    const path = `${home}/${entry}`;
    const info = await add(path);
    if (!info?.isDirectory) continue;
    for (const inner of await entries(path)) {
      if (ids.size >= MAX_ENTRIES) break;
      await add(`${path}/${inner}`);
    }
  }
  return [...ids];
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      names.push(entry.name);
      if (names.length >= MAX_ENTRIES) break;
    }
  } catch {
    // Gone or unreadable: nothing of it to refuse.
  }
  return names;
}
