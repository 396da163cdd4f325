/**
 * The shapes a brokered HTTP request passes between its stages: who asks
 * ({@linkcode HttpRequester}), what the audit line learns
 * ({@linkcode HttpTrace}), the request one hop sends
 * ({@linkcode HopRequest}) and what the skill gets back
 * ({@linkcode HttpResponse}). Types only, so every stage can name them
 * without importing the broker that calls it.
 *
 * @module
 */
import type { CallCredentials } from "../credentials/mod.ts";
import type { EgressSubject } from "../../grants/mod.ts";
import type { CallSession, CookieView } from "./call_session.ts";
import type { HttpTape } from "./http_tape.ts";

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

/** Options for `HttpBroker.request`. */
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

/**
 * The request one hop sends, as the skill's side names it: the first hop's
 * after substitution and templates, each redirect's after the guard.
 */
export interface HopRequest {
  method: string;
  /** The URL as the skill named it (before any origin map or pin). */
  url: URL;
  /** Kept from hop to hop: a redirect changes it in place. */
  headers: Headers;
  body: string | undefined;
}
