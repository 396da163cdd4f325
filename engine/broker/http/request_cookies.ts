/**
 * The call session's part in each hop of a brokered HTTP request: the
 * call's cookies go out with the hop, every response (redirects' too,
 * never only the last one) comes back through the session (Set-Cookie
 * into the jar, auth failures counted, a transformed key refused), and
 * the final response shows the jar, masked.
 *
 * @module
 */
import type { CallSession } from "./call_session.ts";
import type { HopRequest, HttpResponse, HttpTrace } from "./http_types.ts";

/**
 * The headers of one hop with the call's cookies for its URL.
 *
 * @param session the call's session, if any
 * @param request the hop
 * @param params the dispatch params (`cookies`, `skip_cookies`, `incognito`)
 * @returns the headers to send (the hop's own when nothing changes)
 */
export function withHopCookies(
  session: CallSession | undefined,
  request: HopRequest,
  params: Record<string, unknown>,
): Headers {
  return session?.withCookies(request.url, request.headers, params) ??
    request.headers;
}

/**
 * Hands a hop's response to the session. When the session refuses it
 * (a masked skill's transformed key), the body is dropped and the request
 * fails.
 *
 * @param session the call's session, if any
 * @param url the hop's URL as the skill named it
 * @param response the hop's response
 * @param params the dispatch params
 * @param trace the trace so far (whether the request carried a credential)
 * @throws {RpcError} Forbidden when the session refuses the response
 */
export async function receiveInSession(
  session: CallSession | undefined,
  url: URL,
  response: Response,
  params: Record<string, unknown>,
  trace: HttpTrace,
): Promise<void> {
  const refused = session?.received(url, response, {
    params,
    carried: trace.checks.credentials?.startsWith("substituted") === true ||
      trace.checks.auth_template !== undefined,
  });
  if (refused) {
    await response.body?.cancel();
    throw refused;
  }
}

/**
 * Adds the call's cookie jar, masked, to the final response (cookie
 * sessions only). Done after recording: a tape never holds the jar.
 *
 * @param session the call's session, if any
 * @param result the response the skill gets (changed in place)
 * @returns the same response
 */
export function withJar(
  session: CallSession | undefined,
  result: HttpResponse,
): HttpResponse {
  if (session?.hasJar) result.jar = session.jarView();
  return result;
}
