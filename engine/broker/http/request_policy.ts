/**
 * The policy stage of a brokered HTTP request, run on the URL the skill
 * named before anything is sent and again on every hop: the egress check
 * (declared and granted hosts), the redirect count for the audit line,
 * and the credential rules on what the hop carries (a real value only to
 * its own domain; no cut or encoded placeholder from a masked skill).
 *
 * @module
 */
import { checkEgress, type EgressDecision, urlHost } from "../../grants/mod.ts";
import type { HopRequest, HttpRequester, HttpTrace } from "./http_types.ts";

/**
 * Checks a URL against the skill's egress, noting the host and the rule
 * in the trace ("refused" stays when the check throws).
 *
 * @param requester the skill, its egress set and grants
 * @param url the URL as the skill named it
 * @param trace the trace to fill
 * @returns the decision (whether a private address is allowed)
 * @throws {RpcError} Forbidden for a host outside the skill's egress
 */
export function checkEgressPolicy(
  requester: HttpRequester,
  url: URL,
  trace: HttpTrace,
): EgressDecision {
  trace.target = urlHost(url);
  trace.checks.egress = "refused";
  const decision = checkEgress(requester, url);
  trace.checks.egress = decision.rule;
  return decision;
}

/**
 * Checks one hop before it connects: egress on its URL, then the
 * credential rules on its URL, header values and body.
 *
 * @param requester the skill, its egress, credentials and session
 * @param hop 0 for the request, n for the nth redirect
 * @param request what the hop would send
 * @param trace the trace to fill
 * @returns the egress decision, for the address check
 * @throws {RpcError} Forbidden when egress or a credential rule refuses the hop
 */
export function checkHopPolicy(
  requester: HttpRequester,
  hop: number,
  request: HopRequest,
  trace: HttpTrace,
): EgressDecision {
  const { url, headers, body } = request;
  const { credentials, session, skillId } = requester;
  const decision = checkEgressPolicy(requester, url, trace);
  if (hop > 0) trace.checks.redirects = String(hop);
  credentials?.assertMayCarry(
    [url.href, ...[...headers.values()], body ?? ""],
    { host: urlHost(url), skillId },
  );
  session?.checkOutgoing([url.href, ...headers.values(), body ?? ""]);
  return decision;
}
