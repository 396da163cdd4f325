/**
 * The stage that writes what a brokered HTTP request sends: the session's
 * `cookies=` as a header, the call's credential placeholders replaced by
 * real values (only for their own domain), then the connection's auth
 * templates and client headers. Its result is the first hop's request;
 * the dispatch params stay as the skill wrote them.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../errors.ts";
import { urlHost } from "../../grants/mod.ts";
import { requestBody, requestHeaders, requestUrl } from "./http_parts.ts";
import type { CallSession } from "./call_session.ts";
import type { RequestTarget } from "./request_target.ts";
import type { HopRequest, HttpRequester, HttpTrace } from "./http_types.ts";

/**
 * Builds the first hop's request from the dispatch params.
 *
 * @param requester the skill, its credentials and session
 * @param target the method and URL the skill named
 * @param params the dispatch params (not changed)
 * @param trace the trace to fill (credentials, auth_template, bytesOut)
 * @returns the request as the first hop sends it
 * @throws {RpcError} Forbidden when a placeholder is bound elsewhere or a
 *   masked call with credentials asks for part of a response;
 *   InvalidParams for a bad URL, header or body, an auth template outside
 *   the grammar, or one that cannot be applied to its stored value (one
 *   message naming no connection: `REFUSED_MESSAGE`)
 */
export function prepareOutgoing(
  requester: HttpRequester,
  target: RequestTarget,
  params: Record<string, unknown>,
  trace: HttpTrace,
): HopRequest {
  const expanded = requester.session?.expand(params) ?? params;
  const substituted = substituteCredentials(requester, expanded, target, trace);
  const { sent, url, headers } = applyTemplates(
    requester.session,
    target.method,
    substituted,
    params,
    trace,
  );
  refusePartialReads(requester, headers);
  const body = requestBody(sent, headers);
  trace.bytesOut = body ? new TextEncoder().encode(body).length : 0;
  return { method: target.method, url, headers, body };
}

/**
 * A masked call holding credentials never asks for part of a response
 * (`Range`): a request may store a placeholder's value on its own domain
 * (a file upload's body), and pieces of three bytes read back from there
 * are too short for the reflection guard to know
 * (`tests/hostile_range_echo_test.ts`).
 */
function refusePartialReads(requester: HttpRequester, headers: Headers): void {
  const { credentials, skillId } = requester;
  if (!credentials?.masked || credentials.empty) return;
  // Nor a compressed one the client would not decode (`deflate`, `zstd`,
  // gzip once the request names its own list): the guard would see
  // compressed bytes and the skill inflate them
  // (`tests/hostile_encoding_echo_test.ts`). The client asks for what it
  // decodes itself; `guardResponse` refuses any other coding.
  for (const name of CODING_HEADERS) headers.delete(name);
  for (const name of ["range", "if-range"]) {
    if (!headers.has(name)) continue;
    throw new RpcError(
      ErrorCode.Forbidden,
      `Skill "${skillId}" may not send a "${name}" header while it holds credentials it cannot read: a part of a response could carry a piece of one too short to mask; refused`,
      { check: "credentials" },
    );
  }
}

/** Request headers that choose a response's coding. */
const CODING_HEADERS = ["accept-encoding", "te"];

/**
 * Replaces the call's placeholders by real values for the target's host
 * ("refused" stays in the trace when one is bound elsewhere).
 */
function substituteCredentials(
  requester: HttpRequester,
  params: Record<string, unknown>,
  target: RequestTarget,
  trace: HttpTrace,
): Record<string, unknown> {
  const { credentials, skillId } = requester;
  if (!credentials || credentials.empty) return params;
  trace.checks.credentials = "refused";
  const substituted = credentials.substitute(params, {
    host: urlHost(target.url),
    skillId,
  });
  trace.checks.credentials = substituted.used.length > 0
    ? `substituted for ${substituted.used.join(", ")}`
    : "none";
  return substituted.params;
}

/**
 * Reads URL and headers from the substituted params and lets the session
 * add the connection's auth templates and client headers (to a copy of
 * the params: the body a template writes is read from it).
 */
function applyTemplates(
  session: CallSession | undefined,
  method: string,
  substituted: Record<string, unknown>,
  original: Record<string, unknown>,
  trace: HttpTrace,
): { sent: Record<string, unknown>; url: URL; headers: Headers } {
  const url = requestUrl(substituted);
  const headers = requestHeaders(substituted.headers);
  if (!session) return { sent: substituted, url, headers };
  const sent = { ...substituted };
  const applied = session.prepare({ method, url, headers, sent, original });
  if (applied.length > 0) trace.checks.auth_template = applied.join(", ");
  return { sent, url, headers };
}
