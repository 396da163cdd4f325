import type { DatabaseSync } from "node:sqlite";
import type { Engine } from "../engine.ts";
import { invalidParams } from "../errors.ts";
import { isObject } from "../is_object.ts";
import { type RpcDispatcher } from "../rpc/mod.ts";
import { type KeySource, loadVaultKey } from "./vault_key.ts";
import { type SecretValue, Vault } from "./vault.ts";

/** Longest stored credential (its JSON form), in characters. */
export const MAX_SECRET_CHARS = 64 * 1024;
const DOMAIN =
  /^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$|^[a-z0-9][\w.-]{0,99}$/;

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
  registerSecretsMethods(engine.dispatcher, vault);
  engine.addService({
    counts: () => ({ secrets: vault.count() }),
    status: () => ({
      vault: { key: source.kind === "file" ? source.path : "passphrase" },
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

/**
 * Registers the owner's secrets methods. None returns a value: only
 * metadata leaves the engine.
 *
 * @param dispatcher the method table
 * @param vault the vault
 */
export function registerSecretsMethods(
  dispatcher: RpcDispatcher,
  vault: Vault,
): void {
  dispatcher.register("secrets.set", async (params) => {
    const { domain, identifier } = rowParams(params);
    const value = params.value;
    const valid = typeof value === "string"
      ? value.length > 0
      : isObject(value) && Object.keys(value).length > 0 &&
        Object.values(value).every((field) => typeof field === "string");
    if (!valid) {
      throw invalidParams(
        `"value" must be a non-empty string or an object of string fields`,
      );
    }
    if (JSON.stringify(value).length > MAX_SECRET_CHARS) {
      throw invalidParams(
        `"value" is longer than ${MAX_SECRET_CHARS} characters`,
      );
    }
    await vault.set(domain, identifier, value as SecretValue);
    return { ok: true, domain, identifier };
  });
  dispatcher.register("secrets.list", () => ({ secrets: vault.list() }));
  dispatcher.register("secrets.delete", (params) => {
    const { domain, identifier } = rowParams(params);
    return { deleted: vault.delete(domain, identifier), domain, identifier };
  });
}

function rowParams(
  params: Record<string, unknown>,
): { domain: string; identifier: string } {
  const domain = typeof params.domain === "string"
    ? params.domain.toLowerCase()
    : undefined;
  if (!domain || !DOMAIN.test(domain)) {
    throw invalidParams(
      `"domain" must be a host name such as "api.example.com", got ${
        JSON.stringify(params.domain)?.slice(0, 100)
      }`,
    );
  }
  const identifier = params.identifier ?? "";
  if (typeof identifier !== "string" || identifier.length > 200) {
    throw invalidParams(
      `"identifier" must be a string of at most 200 characters`,
    );
  }
  return { domain, identifier };
}
