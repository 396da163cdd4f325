/**
 * `engine.backup`: a consistent copy of the graph database into
 * `$AGENTOS_HOME/backups`, under a name that never overwrites another.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ErrorCode, invalidParams, RpcError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { method, type MethodTable } from "../rpc/mod.ts";
import { backupDatabase, type BackupInfo } from "./backup.ts";

/** What `engine.backup` works on. */
export interface BackupMethodsContext {
  db: DatabaseSync;
  /** The engine's home: backups go to its `backups` directory. */
  home: string;
  log: Logger;
}

/**
 * The `engine.backup` method.
 *
 * @param context the database, the home and the log
 * @returns the method table
 */
export function backupMethods(context: BackupMethodsContext): MethodTable {
  return {
    "engine.backup": method(
      { name: backupName },
      ({ name }) => backUp(context, name),
    ),
  };
}

async function backUp(
  { db, home, log }: BackupMethodsContext,
  name: string,
): Promise<BackupInfo> {
  const dir = `${home}/backups`;
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const target = `${dir}/${name.endsWith(".db") ? name : `${name}.db`}`;
  await refuseExisting(target);
  const info = await backupDatabase(db, target);
  log.info("Backup written", { ...info });
  return info;
}

async function refuseExisting(target: string): Promise<void> {
  try {
    await Deno.lstat(target);
    throw new RpcError(
      ErrorCode.Conflict,
      `Backup "${target}" already exists; choose another name`,
    );
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** A file name of the backup; by default the time, which sorts. */
function backupName(params: Record<string, unknown>, key: string): string {
  const name = params[key] ?? new Date().toISOString().replaceAll(":", "-");
  if (
    typeof name !== "string" || !/^[\w.-]{1,100}$/.test(name) ||
    name.startsWith(".")
  ) {
    throw invalidParams(
      `"${key}" must be 1 to 100 letters, digits, "_", "-" or ".", got ${
        JSON.stringify(name)
      }`,
    );
  }
  return name;
}
