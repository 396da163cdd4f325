/**
 * The vault key's trip through a backup: `agentos backup` puts it, wrapped
 * under a passphrase, in a `settings` row of the copy (so a backup stays
 * one SQLite file that `restore` verifies as before); `agentos restore`
 * takes it out, checks it opens the backup's vault, and writes vault.key.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { importVaultKey, keyOpensVault } from "../engine/vault/mod.ts";
import { backupPassphrase } from "./backup_passphrase.ts";
import { unwrapKey, wrapKey } from "./backup_key_wrap.ts";

/** The settings row of a backup that holds the wrapped key. */
const ROW = "backup.vault_key";

/** What a backup holds of the vault key. */
export interface BackupKey {
  key: "included" | "left out" | "none";
  note?: string;
}

/** What `backup` will do about the key, decided (and asked) before copying. */
export interface KeyPlan {
  raw?: Uint8Array;
  passphrase?: string;
  result: BackupKey;
}

/**
 * Decides what goes into a backup: asks for the passphrase first, so a
 * refusal leaves no file behind.
 *
 * @param home the engine's home
 * @param noKey `--no-key`
 */
export async function planBackupKey(
  home: string,
  noKey: boolean,
): Promise<KeyPlan> {
  if (noKey) {
    return {
      result: {
        key: "left out",
        note:
          "written without the vault key (--no-key): restored elsewhere, its stored credentials stay locked until this home's vault.key is put beside it",
      },
    };
  }
  let raw: Uint8Array;
  try {
    raw = await Deno.readFile(`${home}/vault.key`);
  } catch {
    return {
      result: {
        key: "none",
        note:
          "this home has no vault.key (its key comes from AGENTOS_VAULT_PASSPHRASE, or no credential was ever stored): a restore needs the same passphrase",
      },
    };
  }
  return {
    raw,
    passphrase: await backupPassphrase("choose"),
    result: { key: "included" },
  };
}

/** Writes the planned wrapped key into a fresh backup copy. */
export async function writeBackupKey(
  file: string,
  plan: KeyPlan,
): Promise<void> {
  if (!plan.raw || plan.passphrase === undefined) return;
  const wrap = await wrapKey(plan.raw, plan.passphrase);
  const db = new DatabaseSync(file);
  try {
    db.prepare(
      "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
    ).run(ROW, JSON.stringify(wrap), new Date().toISOString());
  } finally {
    db.close();
  }
}

/**
 * Takes the vault key out of a verified backup, asking for its passphrase,
 * and checks that it opens the backup's own vault.
 *
 * @param file the backup (already verified as a database)
 * @returns the key bytes, or undefined when the backup holds none
 * @throws {Error} when the wrap is malformed, the passphrase is wrong, or
 *   the key does not open the backup's vault
 */
export async function readBackupKey(
  file: string,
): Promise<Uint8Array | undefined> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const row = db.prepare("SELECT value FROM settings WHERE key = ?").get(
      ROW,
    ) as { value: string } | undefined;
    if (!row) return undefined;
    let wrap: unknown;
    try {
      wrap = JSON.parse(row.value);
    } catch {
      throw new Error("the backup's wrapped vault key is not JSON");
    }
    const raw = await unwrapKey(wrap, await backupPassphrase("enter"));
    if (await keyOpensVault(db, await importVaultKey(raw)) === false) {
      throw new Error("the backup's vault key does not open its own vault");
    }
    return raw;
  } finally {
    db.close();
  }
}

/** Drops the wrapped key from a restored copy: the live database never holds it. */
export function dropBackupKey(file: string): void {
  const db = new DatabaseSync(file);
  try {
    db.prepare("DELETE FROM settings WHERE key = ?").run(ROW);
  } finally {
    db.close();
  }
}
