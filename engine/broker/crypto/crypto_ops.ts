import { ErrorCode, invalidParams, RpcError } from "../../errors.ts";

/** The `crypto.*` ops the engine performs, by name after `crypto.`. */
export const CRYPTO_OPS = [
  "aes",
  "aes_gcm",
  "hkdf",
  "pbkdf2",
  "pbkdf2_sha256",
] as const;

/** One of {@linkcode CRYPTO_OPS}. */
export type CryptoOp = typeof CRYPTO_OPS[number];

/** Most PBKDF2 iterations one call may ask for: bounds the engine's CPU per op. */
export const MAX_ITERATIONS = 1_000_000;

/** Longest input (decoded bytes) and derived output one op takes. */
export const MAX_CRYPTO_BYTES = 16 * 1024 * 1024;
const MAX_DERIVED_BYTES = 1024;

/**
 * Whether `name` (the part after `crypto.`) is an op the engine performs.
 *
 * @param name e.g. `"pbkdf2"`
 * @returns true for one of {@linkcode CRYPTO_OPS}
 */
export function isCryptoOp(name: string): name is CryptoOp {
  return (CRYPTO_OPS as readonly string[]).includes(name);
}

/**
 * Performs one `crypto.*` op with WebCrypto, as the reference SDK defines
 * them: keys and data in hex (passwords and `info` in UTF-8), the result
 * in hex. Callers substitute credential placeholders first, so a skill may
 * derive or decrypt with a key it never sees.
 *
 * @param op the op name after `crypto.`
 * @param params the dispatch params, placeholders already replaced
 * @returns the derived key or plaintext, hex-encoded
 * @throws {RpcError} InvalidParams for a malformed parameter,
 *   SkillFailed when decryption fails (wrong key, bad padding or tag)
 */
export async function cryptoOp(
  op: CryptoOp,
  params: Record<string, unknown>,
): Promise<string> {
  switch (op) {
    case "pbkdf2":
      return toHex(
        await pbkdf2("SHA-1", {
          password: utf8(text(params, "password")),
          salt: utf8(text(params, "salt")),
          iterations: count(params, "iterations", 1, MAX_ITERATIONS, 1),
          length: count(params, "length", 1, MAX_DERIVED_BYTES, 16),
        }),
      );
    case "pbkdf2_sha256":
      return toHex(
        await pbkdf2("SHA-256", {
          password: utf8(text(params, "password")),
          salt: hex(params, "salt"),
          iterations: count(params, "iterations", 1, MAX_ITERATIONS),
          length: count(params, "length", 1, MAX_DERIVED_BYTES, 32),
        }),
      );
    case "hkdf": {
      const salt = params.salt === undefined || params.salt === ""
        ? new Uint8Array(32)
        : hex(params, "salt");
      const key = await crypto.subtle.importKey(
        "raw",
        hex(params, "key"),
        "HKDF",
        false,
        ["deriveBits"],
      );
      const length = count(params, "length", 1, 255 * 32, 32);
      const bits = await crypto.subtle.deriveBits(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt,
          info: utf8(params.info === undefined ? "" : text(params, "info")),
        },
        key,
        length * 8,
      );
      return toHex(new Uint8Array(bits));
    }
    case "aes": {
      const iv = params.iv === undefined
        ? new Uint8Array(16)
        : hex(params, "iv");
      if (iv.length !== 16) {
        throw invalidParams(
          `"iv" must be 16 bytes (32 hex digits), got ${iv.length} bytes`,
        );
      }
      return toHex(await decrypt({ name: "AES-CBC", iv }, params));
    }
    case "aes_gcm": {
      const iv = hex(params, "iv");
      if (iv.length === 0) throw invalidParams(`"iv" must not be empty`);
      return toHex(await decrypt({ name: "AES-GCM", iv }, params));
    }
  }
}

async function pbkdf2(
  hash: "SHA-1" | "SHA-256",
  options: {
    password: Uint8Array<ArrayBuffer>;
    salt: Uint8Array<ArrayBuffer>;
    iterations: number;
    length: number;
  },
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    options.password,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash,
      salt: options.salt,
      iterations: options.iterations,
    },
    key,
    options.length * 8,
  );
  return new Uint8Array(bits);
}

async function decrypt(
  algorithm: AesCbcParams | AesGcmParams,
  params: Record<string, unknown>,
): Promise<Uint8Array> {
  const raw = hex(params, "key");
  if (raw.length !== 16 && raw.length !== 32) {
    throw invalidParams(
      `"key" must be 16 or 32 bytes (AES-128 or AES-256)`,
    );
  }
  const key = await crypto.subtle.importKey("raw", raw, algorithm.name, false, [
    "decrypt",
  ]);
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(algorithm, key, hex(params, "data")),
    );
  } catch {
    // WebCrypto's own message names neither the op nor the likely cause.
    throw new RpcError(
      ErrorCode.SkillFailed,
      `crypto.${
        algorithm.name === "AES-CBC" ? "aes" : "aes_gcm"
      } could not decrypt: wrong key or IV, or the data is damaged (${
        algorithm.name === "AES-CBC" ? "bad padding" : "tag mismatch"
      })`,
    );
  }
}

function text(params: Record<string, unknown>, name: string): string {
  const value = params[name];
  if (typeof value !== "string") {
    throw invalidParams(`"${name}" must be a string, got ${typeName(value)}`);
  }
  if (value.length > MAX_CRYPTO_BYTES) {
    throw invalidParams(
      `"${name}" is longer than ${MAX_CRYPTO_BYTES} characters`,
    );
  }
  return value;
}

function hex(
  params: Record<string, unknown>,
  name: string,
): Uint8Array<ArrayBuffer> {
  const value = text(params, name);
  if (value.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(value)) {
    throw invalidParams(
      `"${name}" must be hex (an even number of 0-9a-f digits)`,
    );
  }
  const out = new Uint8Array(value.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
  }
  return out;
}

function count(
  params: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const value = params[name] ?? fallback;
  if (
    !Number.isInteger(value) || (value as number) < min ||
    (value as number) > max
  ) {
    throw invalidParams(
      `"${name}" must be an integer from ${min} to ${max}, got ${
        JSON.stringify(value)?.slice(0, 40)
      }`,
    );
  }
  return value as number;
}

function utf8(value: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(value) as Uint8Array<ArrayBuffer>;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function typeName(value: unknown): string {
  return value === null
    ? "null"
    : Array.isArray(value)
    ? "an array"
    : typeof value;
}
