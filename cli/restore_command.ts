import { requireArg } from "./args.ts";
import { exists } from "./args.ts";
import { type HomePaths, resolveHome } from "../engine/mod.ts";
import { type BackupInfo, verifyDatabase } from "../engine/graph/mod.ts";
import { dropBackupKey, readBackupKey } from "./backup_key.ts";
import { callerPath } from "./caller_path.ts";
import type { Command } from "./command.ts";
import { connectEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson } from "./output.ts";

/** `agentos restore`. */
export const restoreCommand: Command = {
  name: "restore",
  summary:
    "Replace the database (and the vault key it carries) with a backup (the engine must be stopped)",
  usage: "restore <file> [--json]",
  help:
    `Verifies the backup first (SQLite integrity check, schema version, graph
tables, and the vault key it carries against its vault) and changes nothing if
that fails. A key in the backup is unwrapped with the passphrase given at backup
time (asked on the terminal, or AGENTOS_BACKUP_PASSPHRASE) and becomes
$AGENTOS_HOME/vault.key. The current database and key are kept in
$AGENTOS_HOME/data/before-restore-<time>/. Holds the engine lock while it works,
so no engine can start meanwhile.

Exit codes: 0 restored, 1 bad backup or the engine is running, 3 the lock is held.`,
  options: { json: { type: "boolean" } },
  async run({ values, positionals }) {
    const file = callerPath(requireArg(positionals, 0, "file"));
    const paths = resolveHome();
    await refuseRunningEngine(paths);
    Deno.mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    using lock = Deno.openSync(paths.lockFile, {
      read: true,
      write: true,
      create: true,
      mode: 0o600,
    });
    if (!lock.tryLockSync(true)) {
      throw new CliError(
        `"${paths.lockFile}" is locked by a running engine`,
        ExitCode.Locked,
      );
    }
    const { info, key } = await checkBackup(file);
    const kept = keepCurrent(paths, key !== undefined);
    const staged = `${paths.database}.restoring`;
    Deno.copyFileSync(file, staged);
    Deno.chmodSync(staged, 0o600);
    dropBackupKey(staged);
    Deno.renameSync(staged, paths.database);
    if (key) writeKey(`${paths.home}/vault.key`, key);
    const result = {
      restored: file,
      database: paths.database,
      previous: kept ?? null,
      key: key ? "restored" : "none in the backup",
      ...info,
    };
    if (values.json) printJson(result);
    else {
      print(
        `Restored ${file} (${info.nodes} nodes, up to change ${info.lastChange}) into ${paths.database}`,
      );
      print(
        key
          ? `The vault key came with it: ${paths.home}/vault.key`
          : "The backup holds no vault key: stored credentials stay locked unless this home's vault.key is the one they were written with",
      );
      if (kept) print(`The previous database is in ${kept}`);
    }
    return ExitCode.Ok;
  },
};

async function refuseRunningEngine(paths: HomePaths): Promise<void> {
  try {
    await (await connectEngine(paths)).close();
  } catch {
    return; // Not running: what we want.
  }
  throw new CliError(
    "The engine is running; stop it first",
    ExitCode.Error,
    "agentos engine stop",
  );
}

async function checkBackup(
  file: string,
): Promise<{ info: BackupInfo; key: Uint8Array | undefined }> {
  try {
    const info = verifyDatabase(file);
    return { info, key: await readBackupKey(file) };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Not restoring: ${(error as Error).message}`);
  }
}

/** Moves the current database (and the key, when one replaces it) aside. */
function keepCurrent(paths: HomePaths, withKey: boolean): string | undefined {
  const current = [
    paths.database,
    `${paths.database}-wal`,
    `${paths.database}-shm`,
    ...(withKey ? [`${paths.home}/vault.key`] : []),
  ].filter(exists);
  if (current.length === 0) return undefined;
  const kept = `${paths.dataDir}/before-restore-${
    new Date().toISOString().replaceAll(":", "-")
  }`;
  Deno.mkdirSync(kept, { mode: 0o700 });
  for (const path of current) {
    Deno.renameSync(path, `${kept}/${path.slice(path.lastIndexOf("/") + 1)}`);
  }
  return kept;
}

function writeKey(path: string, key: Uint8Array): void {
  const staged = `${path}.restoring`;
  Deno.writeFileSync(staged, key, { mode: 0o600 });
  Deno.chmodSync(staged, 0o600);
  Deno.renameSync(staged, path);
}
