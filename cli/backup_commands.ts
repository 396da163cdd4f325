import { exists, requireArg } from "./args.ts";
import { resolveHome } from "../engine/mod.ts";
import { type BackupInfo, verifyDatabase } from "../engine/graph/mod.ts";
import { callerPath } from "./caller_path.ts";
import type { Command } from "./command.ts";
import { callEngine, connectEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

/** `agentos backup`. */
export const backupCommand: Command = {
  name: "backup",
  summary:
    "Take a consistent online snapshot of the database (writes go on meanwhile)",
  usage: "backup [<file>] [--json]",
  help:
    `Without <file>, the backup stays in $AGENTOS_HOME/backups/. With <file>, it is
moved there (the file must not exist). The engine must be running; it copies the
database a few pages at a time with SQLite's backup API and verifies the copy.`,
  options: { json: { type: "boolean" } },
  async run({ values, positionals }) {
    const file = positionals[0] === undefined
      ? undefined
      : callerPath(positionals[0]);
    if (file !== undefined && exists(file)) {
      throw new CliError(`"${file}" already exists; not overwriting it`);
    }
    const info = await callEngine<BackupInfo>("engine.backup");
    if (file !== undefined) {
      // Another file system, maybe: copy (never over an existing file) at
      // 0600, then remove the original.
      const from = await Deno.open(info.path, { read: true });
      const to = await Deno.open(file, {
        write: true,
        createNew: true,
        mode: 0o600,
      });
      await from.readable.pipeTo(to.writable);
      await Deno.remove(info.path);
      info.path = file;
    }
    if (values.json) printJson(info);
    else {
      printPairs([["backup", info.path], ["bytes", info.bytes], [
        "nodes",
        info.nodes,
      ], [
        "last change",
        info.lastChange,
      ]]);
    }
    return ExitCode.Ok;
  },
};

/** `agentos restore`. */
export const restoreCommand: Command = {
  name: "restore",
  summary: "Replace the database with a backup (the engine must be stopped)",
  usage: "restore <file> [--json]",
  help:
    `Verifies the backup first (SQLite integrity check, schema version, graph
tables) and changes nothing if it fails. The current database is kept in
$AGENTOS_HOME/data/before-restore-<time>/. Holds the engine lock while it works,
so no engine can start meanwhile.

Exit codes: 0 restored, 1 bad backup or the engine is running, 3 the lock is held.`,
  options: { json: { type: "boolean" } },
  async run({ values, positionals }) {
    const file = callerPath(requireArg(positionals, 0, "file"));
    const paths = resolveHome();
    let running = false;
    try {
      await (await connectEngine(paths)).close();
      running = true;
    } catch {
      // Not running: what we want.
    }
    if (running) {
      throw new CliError(
        "The engine is running; stop it first",
        ExitCode.Error,
        "agentos engine stop",
      );
    }
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
    let info: BackupInfo;
    try {
      info = verifyDatabase(file);
    } catch (error) {
      throw new CliError(`Not restoring: ${(error as Error).message}`);
    }
    const kept = `${paths.dataDir}/before-restore-${
      new Date().toISOString().replaceAll(":", "-")
    }`;
    const current = [
      paths.database,
      `${paths.database}-wal`,
      `${paths.database}-shm`,
    ].filter(exists);
    if (current.length > 0) {
      Deno.mkdirSync(kept, { mode: 0o700 });
      for (const path of current) {
        Deno.renameSync(
          path,
          `${kept}/${path.slice(paths.dataDir.length + 1)}`,
        );
      }
    }
    Deno.copyFileSync(file, `${paths.database}.restoring`);
    Deno.renameSync(`${paths.database}.restoring`, paths.database);
    Deno.chmodSync(paths.database, 0o600);
    const result = {
      restored: file,
      database: paths.database,
      previous: current.length > 0 ? kept : null,
      ...info,
    };
    if (values.json) printJson(result);
    else {
      print(
        `Restored ${file} (${info.nodes} nodes, up to change ${info.lastChange}) into ${paths.database}`,
      );
      if (current.length > 0) print(`The previous database is in ${kept}`);
    }
    return ExitCode.Ok;
  },
};
