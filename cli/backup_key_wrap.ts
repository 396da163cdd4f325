/**
 * The vault key inside a backup, wrapped under a passphrase: scrypt (a
 * memory-hard KDF, `node:crypto`'s maintained implementation) derives an
 * AES-256-GCM key that encrypts the 32 key bytes. A wrap read back from a
 * backup is untrusted input: its cost parameters are bounded before any
 * work, so a tampered file cannot make the CLI spend gigabytes.
 *
 * @module
 */
import { isObject } from "../engine/mod.ts";

/** A wrapped key as stored in the backup's `settings` row. */
export interface WrappedKey {
  format: 1;
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  nonce: string;
  ciphertext: string;
}

// 2^15 × 8 × 128 bytes = 32 MiB and about 0.1 s per try: costly to guess.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const MAX_LOG_N = 20;
const AAD = new TextEncoder().encode("agentos backup vault key");

/**
 * Wraps the vault key.
 *
 * @param raw the 32 bytes of vault.key
 * @param passphrase the owner's passphrase
 * @returns the wrap, for the backup
 */
export async function wrapKey(
  raw: Uint8Array,
  passphrase: string,
): Promise<WrappedKey> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const key = await derive(passphrase, salt, COST);
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: AAD },
      key,
      raw as BufferSource,
    ),
  );
  return {
    format: 1,
    kdf: "scrypt",
    ...COST,
    salt: toBase64(salt),
    nonce: toBase64(nonce),
    ciphertext: toBase64(ciphertext),
  };
}

/**
 * Unwraps the vault key.
 *
 * @param wrap what the backup holds (untrusted)
 * @param passphrase the passphrase given at backup time
 * @returns the 32 key bytes
 * @throws {Error} when the wrap is malformed or the passphrase is wrong
 */
export async function unwrapKey(
  wrap: unknown,
  passphrase: string,
): Promise<Uint8Array> {
  const valid = checkWrap(wrap);
  const key = await derive(passphrase, fromBase64(valid.salt), valid);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: fromBase64(valid.nonce) as BufferSource,
        additionalData: AAD,
      },
      key,
      fromBase64(valid.ciphertext) as BufferSource,
    );
  } catch {
    throw new Error(
      "the passphrase does not unlock the backup's vault key (wrong passphrase, or the file was altered)",
    );
  }
  if (plain.byteLength !== 32) {
    throw new Error("the backup's vault key is not 32 bytes");
  }
  return new Uint8Array(plain);
}

function checkWrap(wrap: unknown): WrappedKey {
  const base64 = /^[A-Za-z0-9+/]{1,200}={0,2}$/;
  const ok = isObject(wrap) && wrap.format === 1 && wrap.kdf === "scrypt" &&
    Number.isInteger(wrap.N) && (wrap.N as number) >= 2 ** 10 &&
    (wrap.N as number) <= 2 ** MAX_LOG_N &&
    Number.isInteger(Math.log2(wrap.N as number)) &&
    Number.isInteger(wrap.r) && (wrap.r as number) >= 1 &&
    (wrap.r as number) <= 16 && wrap.p === 1 &&
    ["salt", "nonce", "ciphertext"].every((field) =>
      typeof wrap[field] === "string" && base64.test(wrap[field] as string)
    );
  if (!ok) {
    throw new Error(
      `the backup's wrapped vault key is malformed (scrypt N at most 2^${MAX_LOG_N}, r at most 16, p 1)`,
    );
  }
  return wrap as unknown as WrappedKey;
}

async function derive(
  passphrase: string,
  salt: Uint8Array,
  cost: { N: number; r: number; p: number },
): Promise<CryptoKey> {
  const { scrypt } = await import("node:crypto");
  const bytes = await new Promise<Uint8Array>((resolve, reject) =>
    scrypt(
      passphrase.normalize("NFC"),
      salt,
      32,
      { ...cost, maxmem: 256 * cost.N * cost.r },
      (error, key) => error ? reject(error) : resolve(new Uint8Array(key)),
    )
  );
  return crypto.subtle.importKey(
    "raw",
    bytes as BufferSource,
    "AES-GCM",
    false,
    ["encrypt", "decrypt"],
  );
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
