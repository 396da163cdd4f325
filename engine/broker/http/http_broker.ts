/**
 * The `http.request` op's broker: one request as a sequence of named
 * stages, each in a file of its own — the target the skill named
 * (`request_target.ts`), the policy on it (`request_policy.ts`), the tape
 * (`request_tape.ts`), what is sent (`request_outgoing.ts`: credentials,
 * auth templates), then per hop the policy again, the connection to the
 * checked address (`request_connect.ts`), the session's cookies
 * (`request_cookies.ts`), the redirect guard (`request_redirect.ts`), and
 * for the final response its guard (`request_response.ts`) and record.
 *
 * @module
 */
import { type Resolver, resolveWithDns } from "../../net/mod.ts";
import type { OriginMap } from "./origin_map.ts";
import { PinnedConnector } from "./pinned_connector.ts";
import {
  DEFAULT_GUARD_BUDGET_MS,
  GuardPool,
  type OffThreadGuard,
} from "../credentials/mod.ts";
import { resolveTarget } from "./request_target.ts";
import { checkEgressPolicy, checkHopPolicy } from "./request_policy.ts";
import { recordResponse, replayFromTape, tapeKey } from "./request_tape.ts";
import { prepareOutgoing } from "./request_outgoing.ts";
import { requestDeadline } from "./request_deadline.ts";
import { connectHop, sendHop } from "./request_connect.ts";
import {
  receiveInSession,
  withHopCookies,
  withJar,
} from "./request_cookies.ts";
import { followRedirect, guardRedirects } from "./request_redirect.ts";
import { guardResponse } from "./request_response.ts";
import type {
  HttpRequester,
  HttpRequestOptions,
  HttpResponse,
} from "./http_types.ts";

export { MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES } from "./http_parts.ts";
export { MAX_REDIRECTS } from "./request_redirect.ts";
export { DEFAULT_HTTP_TIMEOUT_S } from "./request_deadline.ts";
export type {
  HttpRequester,
  HttpRequestOptions,
  HttpResponse,
  HttpTrace,
} from "./http_types.ts";

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
  /**
   * Milliseconds of reflection-guard work one call may spend on its
   * responses, read at each request (`prefs http.guard_budget_ms`;
   * default {@linkcode DEFAULT_GUARD_BUDGET_MS}).
   */
  guardBudgetMs?: () => number;
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
  #guards = new GuardPool();

  /** @param options origin maps and seams */
  constructor(options: HttpBrokerOptions) {
    this.#options = options;
    this.#connector = new PinnedConnector({ caCerts: options.caCerts });
  }

  /**
   * The guard workers and the call's budget, read now (`prefs
   * http.guard_budget_ms`): what other brokers mask large texts with, off
   * the main thread.
   *
   * @returns the pool and the budget
   */
  offThreadGuard(): OffThreadGuard {
    return {
      pool: this.#guards,
      budgetMs: this.#options.guardBudgetMs?.() ?? DEFAULT_GUARD_BUDGET_MS,
    };
  }

  /** Closes the connector's tunnel and ends the guard workers. */
  async close(): Promise<void> {
    this.#guards.close();
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
    const trace = options.trace ?? { checks: {}, bytesIn: 0, bytesOut: 0 };
    const { credentials, tape, session, skillId } = requester;
    const target = resolveTarget(params);
    checkEgressPolicy(requester, target.url, trace);
    // The call's automata are built on a guard worker, not here.
    await credentials?.ready(this.#guards);
    const key = tape ? await tapeKey(target, params, credentials) : undefined;
    if (tape?.mode === "replay") return replayFromTape(tape, key!, trace);
    let request = prepareOutgoing(requester, target, params, trace);
    const guard = guardRedirects(credentials, params, request);
    const deadline = requestDeadline(params, options.signal);
    const maps = this.#options.originMaps();
    const doFetch = this.#options.fetch ?? fetch;
    for (let hop = 0;; hop++) {
      const decision = checkHopPolicy(requester, hop, request, trace);
      const connection = await connectHop(request.url, decision, {
        maps,
        connector: this.#connector,
        resolve: this.#options.resolve ?? resolveWithDns,
        skillId,
        signal: deadline.signal,
      }, trace);
      try {
        const headers = withHopCookies(session, request, params);
        const response = await sendHop(
          request,
          connection,
          headers,
          doFetch,
          deadline,
        );
        await receiveInSession(session, request.url, response, params, trace);
        const next = await followRedirect(
          { hop, request, mapped: connection.mapped, response },
          { guard, maps, skillId },
        );
        if (next) {
          request = next;
          continue;
        }
        const offThread = this.offThreadGuard();
        const result = await guardResponse(
          response,
          request,
          credentials,
          deadline,
          trace,
          offThread,
        );
        await recordResponse(tape, key, result, credentials, offThread);
        return withJar(session, result);
      } finally {
        connection.route?.release();
      }
    }
  }
}
