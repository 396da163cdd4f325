import { CliError, ExitCode } from "./exit_codes.ts";
import { promptHidden } from "./hidden_prompt.ts";

const VARIABLE = "AGENTOS_BACKUP_PASSPHRASE";
const MIN_CHARS = 8;

/**
 * The passphrase that wraps (or unwraps) a backup's vault key: from
 * `AGENTOS_BACKUP_PASSPHRASE` for scripts, else asked on the terminal
 * (twice when choosing one).
 *
 * @param purpose `choose` when backing up, `enter` when restoring
 * @returns the passphrase
 * @throws {CliError} when there is neither the variable nor a terminal
 */
export async function backupPassphrase(
  purpose: "choose" | "enter",
): Promise<string> {
  const granted = Deno.permissions.querySync({
    name: "env",
    variable: VARIABLE,
  }).state === "granted";
  const fromEnv = granted ? Deno.env.get(VARIABLE) : undefined;
  if (fromEnv) return checked(fromEnv, purpose);
  if (!Deno.stdin.isTerminal()) {
    throw new CliError(
      purpose === "choose"
        ? `The backup carries the vault key wrapped under a passphrase, and there is no terminal to ask for one`
        : `The backup's vault key is wrapped under a passphrase, and there is no terminal to ask for it`,
      ExitCode.Error,
      purpose === "choose"
        ? `set ${VARIABLE}, or pass --no-key to leave the key out (stored credentials then cannot be used after a restore elsewhere)`
        : `set ${VARIABLE} to the passphrase given at backup time`,
    );
  }
  if (purpose === "enter") {
    return await promptHidden("Backup passphrase: ");
  }
  const first = checked(
    await promptHidden("Passphrase for the backup's vault key: "),
    purpose,
  );
  if (await promptHidden("Again: ") !== first) {
    throw new CliError("The passphrases differ; nothing written");
  }
  return first;
}

function checked(passphrase: string, purpose: "choose" | "enter"): string {
  if (purpose === "choose" && [...passphrase].length < MIN_CHARS) {
    throw new CliError(
      `The backup passphrase must have at least ${MIN_CHARS} characters`,
    );
  }
  return passphrase;
}
