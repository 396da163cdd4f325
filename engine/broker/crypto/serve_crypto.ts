import { ErrorCode, RpcError } from "../../errors.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import { cryptoOp, isCryptoOp } from "./crypto_ops.ts";

/** Parameters of each op that may carry a credential placeholder. */
const SECRET_PARAMS = ["password", "key", "salt", "data", "iv", "info"];

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
