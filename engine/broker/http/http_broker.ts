import { ErrorCode, RpcError } from "../../errors.ts";
import { checkAddress, type Resolver, resolveWithDns } from "../../net/mod.ts";
import type { CallCredentials } from "../credentials/mod.ts";
import {
  checkEgress,
  type EgressSubject,
  urlHost,
  urlPort,
} from "../../grants/mod.ts";
import {
  fetchError,
  readBody,
  requestBody,
  requestHeaders,
  requestUrl,
} from "./http_parts.ts";
import { HttpTape, type TapeRequest } from "./http_tape.ts";
import type { CallSession, CookieView } from "./call_session.ts";
import { mapOrigin, type OriginMap, unmapOrigin } from "./origin_map.ts";
import { PinnedConnector, type PinnedRoute } from "./pinned_connector.ts";
import { RedirectGuard } from "./redirect_guard.ts";

export { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES } from "./http_parts.ts";

/** Redirects followed per request. */
export const MAX_REDIRECTS = 5;

/** Default and longest time for one request, in seconds. */
export const DEFAULT_HTTP_TIMEOUT_S = 30;
const MAX_HTTP_TIMEOUT_S = 120;

const METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

/** What the broker needs to know about the requesting skill and call. */
export interface HttpRequester extends EgressSubject {
  /** The call's credentials: placeholders are substituted and policed. */
  credentials?: CallCredentials;
  /** Record responses to it, or answer from it (replay: no network). */
  tape?: HttpTape;
  /** The call's connections: auth templates, client kinds. */
  session?: CallSession;
}

/** What happened, for the audit line (hosts only: never a query, header or body). */
export interface HttpTrace {
  /** The host the skill named last. */
  target?: string;
  /** The outcome of each policy check. */
  checks: Record<string, string>;
  bytesOut: number;
  bytesIn: number;
}

/** Options for {@linkcode HttpBroker.request}. */
export interface HttpRequestOptions {
  /** Aborts the request (the call ended). */
  signal?: AbortSignal;
  /** Filled in as the request goes, success or not. */
  trace?: HttpTrace;
}

/** The response as the SDK reads it (`json` is parsed by the SDK from `body`). */
export interface HttpResponse {
  status: number;
  ok: boolean;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** The call's cookie jar after this request, values masked (cookie sessions only). */
  jar?: CookieView[];
}

/** Options for {@linkcode HttpBroker}. */
export interface HttpBrokerOptions {
  /** Origin maps in order of precedence, read at each request (prefs first, then the environment's). */
  originMaps: () => OriginMap[];
  /** The fetch to use (a seam for tests). */
  fetch?: typeof fetch;
  /** Resolves host names (default `Deno.resolveDns`, A and AAAA). */
  resolve?: Resolver;
  /** Extra root certificates (PEM), for tests with a private CA. */
  caCerts?: string[];
}

/**
 * Performs a skill's `http.request` dispatch with Deno's `fetch`. Every hop
 * (the request and each redirect, at most {@linkcode MAX_REDIRECTS}) passes
 * the egress check on the URL the skill named, the credential rules
 * (placeholders become values only for their own domain; a value bound
 * elsewhere is refused), and — unless an origin map sends it elsewhere —
 * the address check after DNS resolution, then connects to exactly the
 * address it checked. Responses are capped, time-limited and masked.
 */
export class HttpBroker {
  #options: HttpBrokerOptions;
  #connector: PinnedConnector;

  /** @param options origin maps and seams */
  constructor(options: HttpBrokerOptions) {
    this.#options = options;
    this.#connector = new PinnedConnector({ caCerts: options.caCerts });
  }

  /** Closes the connector's tunnel. */
  async close(): Promise<void> {
    await this.#connector.close();
  }

  /**
   * Performs one request.
   *
   * @param requester the skill, its egress set, grants, credentials and tape
   * @param params the dispatch params: method, url, params, headers, json, data, timeout
   * @param options the call's abort signal and the trace to fill
   * @returns status, ok, final url, lower-case headers and the body as text
   * @throws {RpcError} Forbidden (policy, size), InvalidParams, NotFound
   *   (not on the replay tape), Timeout, or InternalError for a network failure
   */
  async request(
    requester: HttpRequester,
    params: Record<string, unknown>,
    options: HttpRequestOptions = {},
  ): Promise<HttpResponse> {
    const { signal } = options;
    const trace = options.trace ?? { checks: {}, bytesIn: 0, bytesOut: 0 };
    const { credentials, tape, skillId } = requester;
    let method = String(params.method ?? "GET").toUpperCase();
    if (!METHODS.has(method)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Unsupported HTTP method "${method.slice(0, 20)}"`,
      );
    }
    let url = requestUrl(params);
    trace.target = urlHost(url);
    trace.checks.egress = "refused";
    trace.checks.egress = checkEgress(requester, url).rule;
    const key = tape
      ? await tapeKey(method, url, params, credentials)
      : undefined;
    if (tape?.mode === "replay") {
      trace.checks.replay = "refused";
      const answer = tape.answer(key!);
      trace.checks.replay = "answered";
      trace.bytesIn = answer.body.length;
      return answer;
    }
    const { session } = requester;
    let sent = session?.expand(params) ?? params;
    if (credentials && !credentials.empty) {
      trace.checks.credentials = "refused";
      const substituted = credentials.substitute(sent, {
        host: trace.target,
        skillId,
      });
      sent = substituted.params;
      trace.checks.credentials = substituted.used.length > 0
        ? `substituted for ${substituted.used.join(", ")}`
        : "none";
    }
    url = requestUrl(sent);
    const headers = requestHeaders(sent.headers);
    if (session) {
      sent = { ...sent };
      const applied = session.prepare({
        method,
        url,
        headers,
        sent,
        original: params,
      });
      if (applied.length > 0) trace.checks.auth_template = applied.join(", ");
    }
    let body = requestBody(sent, headers);
    trace.bytesOut = body ? new TextEncoder().encode(body).length : 0;
    const redirects = new RedirectGuard(credentials, {
      url: requestUrl(params).href,
      headers: requestHeaders(params.headers),
      body: requestBody(params, new Headers()),
    }, { url: url.href, headers, body });
    const timeoutS = Math.min(
      MAX_HTTP_TIMEOUT_S,
      typeof params.timeout === "number" && params.timeout > 0
        ? params.timeout
        : DEFAULT_HTTP_TIMEOUT_S,
    );
    const timeout = AbortSignal.timeout(timeoutS * 1000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const maps = this.#options.originMaps();
    const doFetch = this.#options.fetch ?? fetch;
    for (let hop = 0;; hop++) {
      const host = urlHost(url);
      trace.target = host;
      trace.checks.egress = "refused";
      const decision = checkEgress(requester, url);
      trace.checks.egress = decision.rule;
      if (hop > 0) trace.checks.redirects = String(hop);
      credentials?.assertMayCarry(
        [url.href, ...[...headers.values()], body ?? ""],
        { host, skillId },
      );
      session?.checkOutgoing([url.href, ...headers.values(), body ?? ""]);
      const mapped = mapOrigin(url, ...maps);
      let target = mapped;
      let route: PinnedRoute | undefined;
      if (mapped !== url) trace.checks.address = `origin map ${mapped.host}`;
      else {
        trace.checks.address = "refused";
        const checked = await checkAddress(host, {
          resolve: this.#options.resolve ?? resolveWithDns,
          privateAllowed: decision.privateAllowed,
          skillId,
          signal: combined,
          port: urlPort(url),
        });
        trace.checks.address = `${checked.kind} ${checked.address}`;
        route = this.#connector.route(url, checked.address);
        target = route.target;
      }
      try {
        let sentHeaders = session?.withCookies(url, headers, params) ?? headers;
        if (route?.host) {
          sentHeaders = new Headers(sentHeaders);
          sentHeaders.set("host", route.host);
        }
        let response: Response;
        try {
          response = await doFetch(target, {
            method,
            headers: sentHeaders,
            body,
            redirect: "manual",
            signal: combined,
            ...(route ? { client: route.client } : {}),
          });
        } catch (error) {
          throw fetchError(error, url, timeout.aborted, timeoutS);
        }
        // Every Set-Cookie, redirects' too (never only the last one).
        const refused = session?.received(url, response, {
          params,
          carried: trace.checks.credentials?.startsWith("substituted") ===
              true || trace.checks.auth_template !== undefined,
        });
        if (refused) {
          await response.body?.cancel();
          throw refused;
        }
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
          await response.body?.cancel();
          if (hop >= MAX_REDIRECTS) {
            throw new RpcError(
              ErrorCode.Forbidden,
              `Too many redirects from "${url.host}" (more than ${MAX_REDIRECTS})`,
              { check: "redirects" },
            );
          }
          // Relative to the mapped origin (then read back as the skill's), or
          // to the URL itself: never to a pinned address.
          let next: URL;
          try {
            next = new URL(location, mapped);
          } catch {
            throw new RpcError(
              ErrorCode.InternalError,
              `HTTP request to "${url.host}" failed: it redirected to an invalid URL`,
            );
          }
          url = mapped !== url ? unmapOrigin(next, ...maps) : next;
          if (
            response.status === 303 ||
            ((response.status === 301 || response.status === 302) &&
              method === "POST")
          ) {
            method = method === "HEAD" ? "HEAD" : "GET";
            body = undefined;
            headers.delete("content-type");
          }
          redirects.follow(url, headers, body, skillId);
          continue;
        }
        const read = method === "HEAD"
          ? (await response.body?.cancel(), { text: "", bytes: 0 })
          : await readBody(response, url, timeout, timeoutS);
        trace.bytesIn = read.bytes;
        const mask = (text: string) => credentials?.mask(text) ?? text;
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          // Repeated headers (Set-Cookie above all) are joined, not lost.
          const shown = mask(value), key = mask(name);
          out[key] = key in out ? `${out[key]}, ${shown}` : shown;
        });
        const result: HttpResponse = {
          status: response.status,
          ok: response.ok,
          url: mask(url.href),
          headers: out,
          body: mask(read.text),
        };
        // Cookies are credentials: never in a recording.
        tape?.add(
          key!,
          withoutCookies(result),
          (text) => credentials?.redact(text) ?? text,
        );
        if (session?.hasJar) result.jar = session.jarView();
        return result;
      } finally {
        route?.release();
      }
    }
  }
}

async function tapeKey(
  method: string,
  url: URL,
  params: Record<string, unknown>,
  credentials: CallCredentials | undefined,
): Promise<TapeRequest> {
  const body = requestBody(params, new Headers());
  return await HttpTape.requestKey(
    { method, url: url.href, body },
    (text) => credentials?.redact(text) ?? text,
  );
}

function withoutCookies(response: HttpResponse): HttpResponse {
  const headers = { ...response.headers };
  delete headers["set-cookie"];
  return { ...response, headers };
}
