import { DatabaseSync } from "node:sqlite";
import type { HomePaths } from "../engine/mod.ts";
import {
  importVaultKey,
  KEY_MISMATCH,
  keyOpensVault,
} from "../engine/vault/mod.ts";
import type { CheckResult } from "./doctor_check.ts";

const HINT =
  "restore the key: `agentos restore <backup>` with a backup that carries it (and its passphrase), or put the original vault.key back; then restart the engine";

/**
 * Whether vault.key opens the vault: from the running engine's status, or
 * (no engine) by decrypting the vault's check value on a read-only
 * connection.
 *
 * @param paths the home
 * @param status the running engine's status, if any
 * @returns a failing result when the key does not match, else undefined
 */
export async function checkVaultKeyMatches(
  paths: HomePaths,
  status: Record<string, unknown> | undefined,
): Promise<CheckResult | undefined> {
  const keyFile = `${paths.home}/vault.key`;
  const locked = (status?.vault as { locked?: string } | undefined)?.locked;
  if (locked) {
    return { name: "vault", status: "fail", detail: locked, hint: HINT };
  }
  if (status) return undefined;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(paths.database, { readOnly: true });
    const key = await importVaultKey(await Deno.readFile(keyFile));
    if (await keyOpensVault(db, key) === false) {
      return {
        name: "vault",
        status: "fail",
        detail: `${keyFile}: ${KEY_MISMATCH}`,
        hint: HINT,
      };
    }
  } catch {
    // No database yet, or unreadable: the database check reports that.
  } finally {
    db?.close();
  }
  return undefined;
}
