import type { DatabaseSync } from "node:sqlite";
import type { Engine } from "../engine.ts";
import { registerTable } from "../rpc/mod.ts";
import { secretsMethods } from "./secrets_methods.ts";
import { type KeySource, loadVaultKey } from "./vault_key.ts";
import { Vault } from "./vault.ts";

/**
 * Opens the vault for the engine: the key comes from `AGENTOS_VAULT_PASSPHRASE`
 * when set (PBKDF2 with a salt kept in settings), else from the 0600 key file
 * `$AGENTOS_HOME/vault.key` (created on first start). Registers
 * `secrets.set`, `secrets.list` and `secrets.delete`.
 *
 * @param engine the engine being started
 * @param db the graph database
 * @returns the vault, for the brokers that read credentials
 */
export async function openVault(
  engine: Engine,
  db: DatabaseSync,
): Promise<Vault> {
  const passphrase = Deno.env.get("AGENTOS_VAULT_PASSPHRASE");
  let source: KeySource;
  if (passphrase) {
    source = { kind: "passphrase", passphrase, salt: vaultSalt(db) };
  } else {
    source = { kind: "file", path: `${engine.paths.home}/vault.key` };
  }
  const vault = await Vault.open(db, await loadVaultKey(source));
  if (vault.locked) {
    engine.log.warn("Vault locked: its key does not match", {
      reason: vault.locked,
    });
  }
  registerTable(engine.dispatcher, secretsMethods(vault));
  engine.addService({
    counts: () => ({ secrets: vault.count() }),
    status: () => ({
      vault: {
        key: source.kind === "file" ? source.path : "passphrase",
        ...(vault.locked ? { locked: vault.locked } : {}),
      },
    }),
  });
  return vault;
}

function vaultSalt(db: DatabaseSync): Uint8Array {
  const row = db.prepare("SELECT value FROM settings WHERE key = 'vault.salt'")
    .get() as { value: string } | undefined;
  if (row) {
    return Uint8Array.from(atob(JSON.parse(row.value)), (c) => c.charCodeAt(0));
  }
  const salt = crypto.getRandomValues(new Uint8Array(16));
  db.prepare(
    "INSERT INTO settings (key, value, updated_at) VALUES ('vault.salt', ?, ?)",
  ).run(
    JSON.stringify(btoa(String.fromCharCode(...salt))),
    new Date().toISOString(),
  );
  return salt;
}
