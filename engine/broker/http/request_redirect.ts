/**
 * The redirect stage of a brokered HTTP request: a 3xx with a `Location`
 * becomes the next hop, at most {@linkcode MAX_REDIRECTS} of them, with
 * the method and body browsers would send, and the
 * {@linkcode RedirectGuard} keeping what the broker wrote (substituted
 * values, auth templates) from following the request off its credential's
 * domain. The next hop passes the policy stage again like the first.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../errors.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import { requestBody, requestHeaders, requestUrl } from "./http_parts.ts";
import { type OriginMap, unmapOrigin } from "./origin_map.ts";
import { RedirectGuard } from "./redirect_guard.ts";
import type { HopRequest } from "./http_types.ts";

/** Redirects followed per request. */
export const MAX_REDIRECTS = 5;

/**
 * Starts the guard with the request as the skill wrote it and as the
 * broker sends it, so it knows which parts the broker wrote.
 *
 * @param credentials the call's credentials (none: nothing to guard)
 * @param params the dispatch params as the skill wrote them
 * @param first the first hop's request
 * @returns the guard for every redirect of this request
 */
export function guardRedirects(
  credentials: CallCredentials | undefined,
  params: Record<string, unknown>,
  first: HopRequest,
): RedirectGuard {
  return new RedirectGuard(credentials, {
    url: requestUrl(params).href,
    headers: requestHeaders(params.headers),
    body: requestBody(params, new Headers()),
  }, { url: first.url.href, headers: first.headers, body: first.body });
}

/** One hop that was sent, as the redirect stage reads it. */
export interface SentHop {
  /** 0 for the request, n for the nth redirect. */
  hop: number;
  request: HopRequest;
  /** The URL the hop was sent to after origin maps. */
  mapped: URL;
  response: Response;
}

/** What following a redirect needs besides the hop. */
export interface RedirectRules {
  guard: RedirectGuard;
  /** Origin maps, to read a mapped redirect back as the skill's URL. */
  maps: OriginMap[];
  /** The skill, for messages. */
  skillId: string;
}

/**
 * The next hop when the response is a redirect (its body dropped), or
 * undefined when it is the final response. A 303, or a 301/302 after a
 * POST, becomes a GET without a body; the headers carry over, changed in
 * place.
 *
 * @param sent the hop just sent and its response
 * @param rules the guard, origin maps and skill
 * @returns the next hop's request, or undefined for a final response
 * @throws {RpcError} Forbidden past {@linkcode MAX_REDIRECTS} or when the
 *   guard refuses; InternalError for an invalid `Location`
 */
export async function followRedirect(
  sent: SentHop,
  rules: RedirectRules,
): Promise<HopRequest | undefined> {
  const { hop, request, mapped, response } = sent;
  const location = response.headers.get("location");
  if (response.status < 300 || response.status >= 400 || !location) {
    return undefined;
  }
  await response.body?.cancel();
  if (hop >= MAX_REDIRECTS) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Too many redirects from "${request.url.host}" (more than ${MAX_REDIRECTS})`,
      { check: "redirects" },
    );
  }
  const url = nextUrl(location, request.url, mapped, rules.maps);
  const next = { ...request, url };
  if (
    response.status === 303 ||
    ((response.status === 301 || response.status === 302) &&
      request.method === "POST")
  ) {
    next.method = request.method === "HEAD" ? "HEAD" : "GET";
    next.body = undefined;
    next.headers.delete("content-type");
  }
  rules.guard.follow(next.url, next.headers, next.body, rules.skillId);
  return next;
}

/**
 * The redirect's URL: relative to the mapped origin (then read back as
 * the skill's), or to the URL itself, never to a pinned address.
 */
function nextUrl(
  location: string,
  url: URL,
  mapped: URL,
  maps: OriginMap[],
): URL {
  let next: URL;
  try {
    next = new URL(location, mapped);
  } catch {
    throw new RpcError(
      ErrorCode.InternalError,
      `HTTP request to "${url.host}" failed: it redirected to an invalid URL`,
    );
  }
  return mapped !== url ? unmapOrigin(next, ...maps) : next;
}
