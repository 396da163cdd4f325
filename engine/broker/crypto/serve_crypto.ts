import { ErrorCode, RpcError } from "../../errors.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import { PLACEHOLDER } from "../credentials/mod.ts";
import { cryptoOp, isCryptoOp } from "./crypto_ops.ts";

/**
 * Parameters in which a credential placeholder becomes the real value:
 * key material only, where what comes back (a derived key, a plaintext
 * under that key) does not give the value away. As `data`, `iv`, `salt`
 * or `info` it would come back decodable — AES-CBC "decryption" of a hex
 * key under a key the skill chose returns bytes the skill re-encrypts
 * into the value — so a placeholder there is refused.
 */
const SECRET_PARAMS = ["password", "key"];

/** Parameters a placeholder may not be put in (see {@linkcode SECRET_PARAMS}). */
const PLAIN_PARAMS = ["salt", "data", "iv", "info"];

/** One placeholder anywhere (not global: `test` keeps no state). */
const ANY_PLACEHOLDER = new RegExp(PLACEHOLDER.source, "i");

/**
 * Serves one `crypto.*` dispatch: checks the skill declared `crypto`,
 * puts the real value in place of this call's placeholders (so a skill
 * may derive or decrypt with a key it never sees), performs the op and
 * answers in hex.
 *
 * @param op the full op name, e.g. `crypto.pbkdf2`
 * @param params the dispatch params
 * @param call the skill, whether it declared `crypto`, and its credentials
 * @returns the result in hex and the audit's checks
 * @throws {RpcError} Forbidden (undeclared, unknown op, foreign placeholder), InvalidParams
 */
export async function serveCrypto(
  op: string,
  params: Record<string, unknown>,
  call: { skillId: string; declared: boolean; credentials: CallCredentials },
): Promise<{ value: string; checks: Record<string, string> }> {
  const name = op.slice("crypto.".length);
  if (!isCryptoOp(name)) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Unknown op "${
        op.slice(0, 100)
      }": the engine performs crypto.aes, crypto.aes_gcm, crypto.hkdf, crypto.pbkdf2 and crypto.pbkdf2_sha256`,
      { op: op.slice(0, 100), check: "op" },
    );
  }
  if (!call.declared) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${call.skillId}" may not use "${op}": it does not declare crypto in its readme (capabilities: [crypto])`,
      { op, check: "declared" },
    );
  }
  for (const key of PLAIN_PARAMS) {
    const value = params[key];
    if (typeof value === "string" && ANY_PLACEHOLDER.test(value)) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${call.skillId}" put a credential placeholder in "${key}" of ${op}: a credential may be used only as "key" or "password", where what comes back does not give it away; refused`,
        { op, check: "credentials" },
      );
    }
  }
  const revealed: Record<string, unknown> = { ...params };
  let substituted = false;
  for (const key of SECRET_PARAMS) {
    const value = params[key];
    if (typeof value !== "string") continue;
    revealed[key] = call.credentials.reveal(value, call.skillId);
    substituted ||= revealed[key] !== value;
  }
  const value = await cryptoOp(name, revealed);
  return {
    value,
    checks: {
      declared: "crypto",
      ...(substituted ? { credential: "substituted in engine" } : {}),
    },
  };
}
