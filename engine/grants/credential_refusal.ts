/**
 * The engine's own fact that a stored credential was refused by its
 * domain (HTTP 401/403 to a request that carried it), as the failed call's
 * caller gets it: kept beside the error object, like a refused grant
 * (`grant_need.ts`), so a call that reached the refusing provider through
 * `capability.call` passes it up each level to the outermost call's error
 * (`credentialRefused` in its data), where the MCP proxy sends the link
 * for that provider's domain (#27). Nothing a skill writes makes one.
 *
 * @module
 */
import type { RpcError } from "../errors.ts";

/** A stored credential its own domain refused, and the skill that sent it. */
export interface CredentialRefusal {
  skill: string;
  domain: string;
  identifier: string;
  status: number;
}

/** Refusals by error identity. */
const REFUSALS = new WeakMap<RpcError, CredentialRefusal>();

/**
 * Remembers the refused credential on the error the caller gets.
 *
 * @param error the caller's error
 * @param refusal the engine's fact
 * @returns the error
 */
export function withCredentialRefusal(
  error: RpcError,
  refusal: CredentialRefusal,
): RpcError {
  REFUSALS.set(error, refusal);
  return error;
}

/**
 * The refused credential an error carries, when the engine marked it with
 * {@linkcode withCredentialRefusal}; undefined for any other error.
 *
 * @param error what was thrown
 * @returns the fact, or undefined
 */
export function credentialRefusalOf(
  error: unknown,
): CredentialRefusal | undefined {
  return error instanceof Error ? REFUSALS.get(error as RpcError) : undefined;
}
