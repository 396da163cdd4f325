/** Where the vault's master key comes from. */
export type KeySource =
  | { kind: "file"; path: string }
  | { kind: "passphrase"; passphrase: string; salt: Uint8Array };

const KEY_BYTES = 32;
const PBKDF2_ITERATIONS = 600_000;

/**
 * Loads (or, for a key file that does not exist yet, creates) the vault's
 * AES-256-GCM master key. The key never enters the database: it is a 0600
 * file beside it, or derived from a passphrase given at engine start.
 *
 * @param source a key file or a passphrase with its salt
 * @returns a non-extractable AES-GCM key
 * @throws {Error} when the key file has the wrong size or loose permissions
 */
export async function loadVaultKey(source: KeySource): Promise<CryptoKey> {
  if (source.kind === "passphrase") {
    const material = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(source.passphrase),
      "PBKDF2",
      false,
      ["deriveKey"],
    );
    return await crypto.subtle.deriveKey(
      {
        name: "PBKDF2",
        hash: "SHA-256",
        salt: source.salt as BufferSource,
        iterations: PBKDF2_ITERATIONS,
      },
      material,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  }
  let raw: Uint8Array;
  try {
    const info = await Deno.stat(source.path);
    if ((info.mode ?? 0) & 0o077) {
      throw new Error(
        `Vault key "${source.path}" is readable by others (mode ${
          (info.mode! & 0o777).toString(8)
        }); run: chmod 600 ${source.path}`,
      );
    }
    raw = await Deno.readFile(source.path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
    await Deno.writeFile(source.path, raw, { mode: 0o600, createNew: true });
  }
  if (raw.length !== KEY_BYTES) {
    throw new Error(
      `Vault key "${source.path}" holds ${raw.length} bytes, not ${KEY_BYTES}`,
    );
  }
  return await crypto.subtle.importKey(
    "raw",
    raw as BufferSource,
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
}
