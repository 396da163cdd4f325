import { exists } from "./args.ts";
import { resolveHome } from "../engine/mod.ts";
import type { BackupInfo } from "../engine/graph/mod.ts";
import { planBackupKey, writeBackupKey } from "./backup_key.ts";
import { callerPath } from "./caller_path.ts";
import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printPairs } from "./output.ts";

export { restoreCommand } from "./restore_command.ts";

/** `agentos backup`. */
export const backupCommand: Command = {
  name: "backup",
  summary:
    "Take a consistent online snapshot of the database and the vault key (writes go on meanwhile)",
  usage: "backup [<file>] [--no-key] [--json]",
  help:
    `Without <file>, the backup stays in $AGENTOS_HOME/backups/. With <file>, it is
moved there (the file must not exist). The engine must be running; it copies the
database a few pages at a time with SQLite's backup API and verifies the copy.

The vault key goes into the backup wrapped under a passphrase (scrypt, then
AES-256-GCM), so \`agentos restore\` on another machine gives working credentials.
The passphrase is asked on the terminal, or read from AGENTOS_BACKUP_PASSPHRASE
in scripts. --no-key leaves the key out: stored credentials then stay locked
after a restore elsewhere until the original vault.key is put beside them.

Example:
  AGENTOS_BACKUP_PASSPHRASE='long passphrase' agentos backup ~/agentos.db`,
  options: { json: { type: "boolean" }, "no-key": { type: "boolean" } },
  async run({ values, positionals }) {
    const file = positionals[0] === undefined
      ? undefined
      : callerPath(positionals[0]);
    if (file !== undefined && exists(file)) {
      throw new CliError(`"${file}" already exists; not overwriting it`);
    }
    const plan = await planBackupKey(
      resolveHome().home,
      values["no-key"] === true,
    );
    const info = await callEngine<BackupInfo>("engine.backup");
    try {
      await writeBackupKey(info.path, plan);
    } catch (error) {
      await Deno.remove(info.path).catch(() => {});
      throw error;
    }
    if (file !== undefined) await moveBackup(info, file);
    info.bytes = Deno.statSync(info.path).size;
    if (values.json) printJson({ ...info, ...plan.result });
    else {
      printPairs([
        ["backup", info.path],
        ["bytes", info.bytes],
        ["nodes", info.nodes],
        ["last change", info.lastChange],
        ["vault key", plan.result.key],
      ]);
      if (plan.result.note) print(`note: ${plan.result.note}`);
    }
    return ExitCode.Ok;
  },
};

// Another file system, maybe: copy (never over an existing file) at 0600,
// then remove the original.
async function moveBackup(info: BackupInfo, file: string): Promise<void> {
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
