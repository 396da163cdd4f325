import { backup, DatabaseSync } from "node:sqlite";
import { SCHEMA_VERSION } from "./schema.ts";

/** What a backup or a verification found. */
export interface BackupInfo {
  /** The file. */
  path: string;
  /** Its size in bytes. */
  bytes: number;
  /** Its schema version. */
  schemaVersion: number;
  /** Live nodes in it. */
  nodes: number;
  /** Its newest change id: the backup holds every change up to this one. */
  lastChange: number;
}

/** Pages copied per step; between steps the engine keeps serving writes. */
const PAGES_PER_STEP = 512;

/**
 * Takes a consistent online snapshot with SQLite's backup API, a few pages
 * at a time so writes go on meanwhile (writes made through the same
 * connection during the copy are carried into it). The copy is verified
 * before it takes its final name.
 *
 * @param db the open graph database
 * @param target where the backup goes (must not exist)
 * @returns what the backup holds
 * @throws {Error} when the copy fails or does not verify
 */
export async function backupDatabase(
  db: DatabaseSync,
  target: string,
): Promise<BackupInfo> {
  const partial = `${target}.partial`;
  try {
    // Created first with mode 0600: SQLite keeps an existing file's mode (and
    // gives its -wal and -shm the same), and the copy holds every record.
    await Deno.writeFile(partial, new Uint8Array(), {
      createNew: true,
      mode: 0o600,
    });
    await backup(db, partial, { rate: PAGES_PER_STEP });
    // The copy inherits WAL mode; a backup is one self-contained file, and a
    // read-only open of a WAL file would leave -wal and -shm files behind.
    const copy = new DatabaseSync(partial);
    try {
      copy.exec("PRAGMA journal_mode = DELETE");
    } finally {
      copy.close();
    }
    const info = verifyDatabase(partial);
    await Deno.rename(partial, target);
    return { ...info, path: target };
  } catch (error) {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) {
      await Deno.remove(partial + suffix).catch(() => {});
    }
    throw error;
  }
}

/**
 * Checks that a file is a whole AgentOS database this engine can open:
 * SQLite's integrity check passes, the schema is not newer than ours, and
 * the graph tables are there. Opens it read-only; changes nothing.
 *
 * @param path the file
 * @returns what it holds
 * @throws {Error} naming what is wrong
 */
export function verifyDatabase(path: string): BackupInfo {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new Error(
      `Cannot open "${path}" as SQLite: ${(error as Error).message}`,
    );
  }
  try {
    const one = <T>(sql: string) => db.prepare(sql).get() as T;
    let integrity: string;
    try {
      integrity = one<{ integrity_check: string }>("PRAGMA integrity_check")
        .integrity_check;
    } catch (error) {
      throw new Error(
        `"${path}" is not a usable SQLite database: ${
          (error as Error).message
        }`,
      );
    }
    if (integrity !== "ok") {
      throw new Error(
        `"${path}" failed SQLite's integrity check: ${integrity}`,
      );
    }
    const schemaVersion =
      one<{ user_version: number }>("PRAGMA user_version").user_version;
    if (schemaVersion < 1 || schemaVersion > SCHEMA_VERSION) {
      throw new Error(
        `"${path}" has schema version ${schemaVersion}; this engine reads versions 1 to ${SCHEMA_VERSION}`,
      );
    }
    for (const table of ["nodes", "edges", "node_values", "changes"]) {
      if (
        !one(
          `SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = '${table}'`,
        )
      ) {
        throw new Error(
          `"${path}" has no "${table}" table: not an AgentOS database`,
        );
      }
    }
    return {
      path,
      bytes: Deno.statSync(path).size,
      schemaVersion,
      nodes: one<{ n: number }>(
        "SELECT count(*) AS n FROM nodes WHERE deleted_at IS NULL",
      ).n,
      lastChange:
        one<{ n: number }>("SELECT coalesce(max(id), 0) AS n FROM changes").n,
    };
  } finally {
    db.close();
  }
}
