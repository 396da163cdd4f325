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
import type { RejectedCredential } from "../broker/mod.ts";

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

/**
 * Reads a call's failure.
 *
 * @param error what the call threw
 * @param call the prepared call
 * @param signal the caller's signal (aborted: the caller went away)
 * @returns the failure's status, message, detail and the caller's error
 */
export function failedCall(
  error: unknown,
  call: PreparedCall,
  signal: AbortSignal | undefined,
): FailedCall {
  const { credentials } = call;
  const wire = signal?.aborted ? cancelled(call) : error;
  const message = credentials.redact((wire as Error).message);
  const refused = wire instanceof RpcError &&
    wire.code === ErrorCode.Forbidden;
  // The data carries the worker's stderr and traceback: redacted too.
  const data = wire instanceof RpcError
    ? credentials.redactValue(wire.data)
    : undefined;
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
  { session, callId, skill, tool, needs }: PreparedCall,
): RpcError {
  const rejected = session.rejectedCredential;
  const { grantNeeded: _, ...rest } = isObject(data) ? data : {};
  return new RpcError(wire.code, message + replaceHint(rejected), {
    ...(rejected ? { rejected_credential: rejected } : {}),
    ...rest,
    // A 401/403 from a credential's domain: the account check retries.
    ...(session.authFailures > 0 ? { auth_failure: true } : {}),
    // Only a refusal the engine made names a grant (grant_need.ts).
    ...(needs[0] ? { grantNeeded: { ...needs[0], tool: tool.name } } : {}),
    callId,
    skill: skill.id,
    tool: tool.name,
  });
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
