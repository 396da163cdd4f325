/**
 * The vault's check value: a known text encrypted under the master key in
 * `settings`, so a wrong key is found at start (and by `agentos doctor` and
 * `agentos restore`) instead of at the first credential read.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/** The settings row that holds the check value. */
export const CHECK_KEY = "vault.check";
/** The text the check value decrypts to under the right key. */
export const CHECK_TEXT = "agentos vault check";

/** Why a vault opens locked: its key does not decrypt the check value. */
export const KEY_MISMATCH =
  "The vault key does not match the one the vault was written with (wrong key file or passphrase)";

/**
 * Whether a key opens a vault.
 *
 * @param db a database with a `settings` table (read-only is enough)
 * @param key the AES-GCM key
 * @returns true when it decrypts the check value, false when it does not,
 *   undefined when the vault has no check value yet (never used)
 */
export async function keyOpensVault(
  db: DatabaseSync,
  key: CryptoKey,
): Promise<boolean | undefined> {
  const row = db.prepare("SELECT value FROM settings WHERE key = ?").get(
    CHECK_KEY,
  ) as { value: string } | undefined;
  if (!row) return undefined;
  try {
    const check = JSON.parse(row.value) as {
      nonce: string;
      ciphertext: string;
    };
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: fromBase64(check.nonce) as BufferSource,
        additionalData: new TextEncoder().encode(CHECK_KEY),
      },
      key,
      fromBase64(check.ciphertext) as BufferSource,
    );
    return new TextDecoder().decode(plain) === CHECK_TEXT;
  } catch {
    return false;
  }
}

/**
 * Imports 32 raw bytes as the vault's AES-GCM key.
 *
 * @param raw the key file's bytes
 * @returns a non-extractable key
 */
export function importVaultKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    raw as BufferSource,
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
