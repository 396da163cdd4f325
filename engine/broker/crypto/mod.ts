/**
 * The `crypto.*` ops: key derivation (PBKDF2, HKDF) and AES decryption
 * (CBC, GCM) performed by the engine with WebCrypto, so a key may be a
 * credential placeholder the skill never sees. Calls `../credentials`.
 *
 * @module
 */
export {
  CRYPTO_OPS,
  type CryptoOp,
  cryptoOp,
  isCryptoOp,
  MAX_CRYPTO_BYTES,
  MAX_ITERATIONS,
} from "./crypto_ops.ts";
export { serveCrypto } from "./serve_crypto.ts";
