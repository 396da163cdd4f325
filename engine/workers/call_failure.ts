/**
 * What a failed skill call says, to its report and to its caller: a call
 * whose caller went away is "cancelled"; the message and the error's data
 * (the worker's stderr and traceback) are redacted of the call's
 * credentials; a refusal is told apart from a failure; the caller's error
 * names the call, and marks an auth failure so the account check retries.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import { isObject } from "../is_object.ts";
import type { PreparedCall } from "./call_prepare.ts";
import {
  INLINE_GUARD_CHARS,
  type OffThreadGuard,
  type RejectedCredential,
} from "../broker/mod.ts";
import { isToolFailure } from "./tool_failure.ts";
import {
  type CredentialRefusal,
  type GrantNeed,
  withCredentialRefusal,
  withGrantNeed,
} from "../grants/mod.ts";

/** A failed call, as reported and as thrown. */
export interface FailedCall {
  status: "failed" | "refused";
  /** The error's message, redacted. */
  message: string;
  /** The log line's extra fields (the traceback). */
  detail: Record<string, unknown>;
  /** What the caller gets. */
  thrown: unknown;
}

/** What {@linkcode failedCall} needs besides the error and the call. */
export interface FailureOptions {
  /** The caller's signal (aborted: the caller went away). */
  signal?: AbortSignal;
  /** The guard workers and the call's budget (a large message or data). */
  guard: OffThreadGuard;
}

/**
 * Reads a call's failure. Its message and data are redacted once (a
 * tool's failure was redacted as it was read, `call_serve.ts`): small
 * ones inline, large ones on the guard workers within what is left of
 * the call's budget; what cannot be redacted there is withheld, never
 * passed on as it is.
 *
 * @param error what the call threw
 * @param call the prepared call
 * @param options the caller's signal and the guard
 * @returns the failure's status, message, detail and the caller's error
 */
export async function failedCall(
  error: unknown,
  call: PreparedCall,
  options: FailureOptions,
): Promise<FailedCall> {
  const wire = options.signal?.aborted ? cancelled(call) : error;
  const { message, data } = await redactedFailure(wire, call, options.guard);
  const refused = wire instanceof RpcError &&
    wire.code === ErrorCode.Forbidden;
  const detail = isObject(data) && typeof data.traceback === "string"
    ? { traceback: data.traceback }
    : {};
  return {
    status: refused ? "refused" : "failed",
    message,
    detail,
    thrown: wire instanceof RpcError
      ? callerError(wire, message, data, call)
      : wire,
  };
}

/** The error's message and data (the worker's stderr and traceback), redacted or withheld. */
async function redactedFailure(
  wire: unknown,
  { credentials }: PreparedCall,
  guard: OffThreadGuard,
): Promise<{ message: string; data: unknown }> {
  const message = String((wire as Error)?.message ?? wire);
  const data = wire instanceof RpcError ? wire.data : undefined;
  if (isToolFailure(wire)) return { message, data };
  try {
    const [m, d] = await credentials.redactValuesOffThread(
      [message, data],
      guard,
    );
    return { message: m as string, data: d };
  } catch (error) {
    const why = `the reflection guard could not redact it: ${
      (error as Error).message
    }`;
    return {
      message: message.length < INLINE_GUARD_CHARS
        ? credentials.redact(message)
        : `The call failed; its message of ${message.length} characters is withheld (${why})`,
      data: { withheld: `The error's data is withheld (${why})` },
    };
  }
}

function cancelled({ skill, tool }: PreparedCall): RpcError {
  return new RpcError(
    ErrorCode.SkillFailed,
    `Call to "${tool.name}" of skill "${skill.id}" was cancelled: the caller went away`,
    { reason: "cancelled" },
  );
}

function callerError(
  wire: RpcError,
  message: string,
  data: unknown,
  { session, callId, skill, tool, needs, refusals }: PreparedCall,
): RpcError {
  const rejected = session.rejectedCredential;
  const own = session.refusedCredential;
  // Its own refused key first, else a provider's inside a nested call.
  const refused: CredentialRefusal | undefined = own
    ? { ...own, skill: skill.id }
    : refusals[0];
  const { grantNeeded: _, credentialRefused: __, ...rest } = isObject(data)
    ? data
    : {};
  // Only a refusal the engine made names a grant (grant_need.ts).
  const need = needs[0] ? callNeed(needs[0], skill.id, tool.name) : undefined;
  const error = new RpcError(wire.code, message + replaceHint(rejected), {
    ...(rejected ? { rejected_credential: rejected } : {}),
    ...rest,
    // A 401/403 from a credential's domain: the account check retries.
    ...(session.authFailures > 0 ? { auth_failure: true } : {}),
    ...(need ? { grantNeeded: need } : {}),
    // Only the engine's own record of a 401/403 to a request it put the
    // stored key on names a refused credential (call_session.ts).
    ...(refused ? { credentialRefused: refused } : {}),
    callId,
    skill: skill.id,
    tool: tool.name,
  });
  if (refused) withCredentialRefusal(error, refused);
  return need ? withGrantNeed(error, need) : error;
}

/**
 * A refused grant as this call's caller sees it: its own (this tool), or a
 * provider's it reached by `capability.call` (that provider's tool), then
 * by way of this call, which the person's retry runs.
 */
function callNeed(need: GrantNeed, skill: string, tool: string): GrantNeed {
  if (need.tool === undefined) return { ...need, tool };
  return { ...need, via: { skill, tool } };
}

/**
 * The hint for a call a server refused the stored credential to (HTTP 401
 * or 403 from its domain): the command that replaces it.
 */
function replaceHint(rejected: RejectedCredential | undefined): string {
  if (!rejected) return "";
  const { domain, identifier, status } = rejected;
  const who = identifier ? ` --identifier ${identifier}` : "";
  return ` (the server answered HTTP ${status} to the stored credential for "${domain}"${
    identifier ? ` (${identifier})` : ""
  }; if it expired or was revoked, replace it: agentos secrets set ${domain}${who})`;
}
