/**
 * The stage of a brokered HTTP request that connects one hop: an origin
 * map sends it to a stand-in origin; otherwise the host is resolved, the
 * address checked (no private address unless granted), and the fetch goes
 * through a route pinned to exactly that address, so a second DNS answer
 * can never take it elsewhere. Redirects are never followed by `fetch`.
 *
 * @module
 */
import { checkAddress, type Resolver } from "../../net/mod.ts";
import { type EgressDecision, urlHost, urlPort } from "../../grants/mod.ts";
import { fetchError } from "./http_parts.ts";
import { describeMapping, mapOrigin, type OriginMap } from "./origin_map.ts";
import type { PinnedConnector, PinnedRoute } from "./pinned_connector.ts";
import type { Deadline } from "./request_deadline.ts";
import type { HopRequest, HttpTrace } from "./http_types.ts";

/** Where one hop goes. */
export interface HopConnection {
  /** The URL after origin maps (the hop's URL itself when none applies). */
  mapped: URL;
  /** What the fetch is given: the mapped URL, or the pinned route's target. */
  target: URL;
  /** The pin to the checked address (none for a mapped origin); released after the hop. */
  route?: PinnedRoute;
  /**
   * Where the hop really went, for a failure's message: the address
   * checked, or the mapped origin and the mapping that sent it there.
   */
  tried: string;
}

/** What connecting a hop needs besides the hop. */
export interface ConnectVia {
  /** Origin maps in order of precedence. */
  maps: OriginMap[];
  connector: PinnedConnector;
  resolve: Resolver;
  /** The skill, for messages. */
  skillId: string;
  /** The request's deadline signal (aborts the DNS lookup). */
  signal: AbortSignal;
}

/**
 * Finds where a hop goes: a mapped origin, or the checked address of its
 * host, pinned ("refused" stays in the trace when the check throws).
 *
 * @param url the hop's URL as the skill named it
 * @param decision the egress decision (whether a private address is allowed)
 * @param via origin maps, connector, resolver, skill and signal
 * @param trace the trace to fill (address)
 * @returns the connection; release its route after the hop
 * @throws {RpcError} Forbidden for an address the skill may not reach
 */
export async function connectHop(
  url: URL,
  decision: EgressDecision,
  via: ConnectVia,
  trace: HttpTrace,
): Promise<HopConnection> {
  const mapped = mapOrigin(url, ...via.maps);
  if (mapped !== url) {
    trace.checks.address = `origin map ${mapped.host}`;
    const mapping = describeMapping(url, ...via.maps);
    return {
      mapped,
      target: mapped,
      tried: `${mapped.origin}, mapped by ${mapping}`,
    };
  }
  trace.checks.address = "refused";
  const checked = await checkAddress(urlHost(url), {
    resolve: via.resolve,
    privateAllowed: decision.privateAllowed,
    skillId: via.skillId,
    signal: via.signal,
    port: urlPort(url),
  });
  trace.checks.address = `${checked.kind} ${checked.address}`;
  const route = via.connector.route(url, checked.address);
  return { mapped, target: route.target, route, tried: checked.address };
}

/**
 * Sends one hop over its connection, with the pinned route's `Host`
 * header when it has one. Redirects come back as responses.
 *
 * @param request the hop's method and body
 * @param connection where it goes
 * @param headers the headers to send (the call's cookies already in them)
 * @param doFetch the fetch to use
 * @param deadline the request's time limit
 * @returns the response, its body unread
 * @throws {RpcError} Timeout, or InternalError for a network failure (both
 *   name the address tried, and the origin map that sent the hop there)
 */
export async function sendHop(
  request: HopRequest,
  connection: HopConnection,
  headers: Headers,
  doFetch: typeof fetch,
  deadline: Deadline,
): Promise<Response> {
  const { route } = connection;
  let sentHeaders = headers;
  if (route?.host) {
    sentHeaders = new Headers(sentHeaders);
    sentHeaders.set("host", route.host);
  }
  try {
    return await doFetch(connection.target, {
      method: request.method,
      headers: sentHeaders,
      body: request.body,
      redirect: "manual",
      signal: deadline.signal,
      ...(route ? { client: route.client } : {}),
    });
  } catch (error) {
    throw fetchError(
      error,
      request.url,
      deadline.timeout.aborted,
      deadline.seconds,
      connection.tried,
    );
  }
}
