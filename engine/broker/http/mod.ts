/**
 * The `http.request` op: egress checks against the skill's declared and
 * granted hosts, the address guard after DNS, a connector pinned to the
 * checked address, redirects, origin maps for offline runs, credential
 * substitution in requests and redaction in responses, record and replay
 * tapes. Calls `engine/net`, `engine/skills` (grants, egress policy) and
 * `../credentials`.
 *
 * @module
 */
export { HttpBroker, type HttpBrokerOptions } from "./http_broker.ts";
export type {
  HttpRequester,
  HttpRequestOptions,
  HttpResponse,
  HttpTrace,
} from "./http_types.ts";
export { DEFAULT_HTTP_TIMEOUT_S } from "./request_deadline.ts";
export { MAX_REDIRECTS } from "./request_redirect.ts";
export {
  CallSession,
  type CallSessionOptions,
  type CookieView,
  type CookieWrite,
  type PreparedRequest,
  type RejectedCredential,
} from "./call_session.ts";
export {
  type CookieChanges,
  cookieHeader,
  CookieJar,
  parseCookiePairs,
  parseSetCookie,
} from "./cookie_jar.ts";
export {
  addClientHeaders,
  type ClientKind,
  clientKind,
} from "./client_kinds.ts";
export {
  fetchError,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  readBody,
  requestBody,
  requestHeaders,
  requestUrl,
} from "./http_parts.ts";
export {
  HttpTape,
  type Recording,
  type TapeExchange,
  type TapeRequest,
  type TapeResponse,
} from "./http_tape.ts";
export {
  labelOriginMap,
  mapOrigin,
  type OriginMap,
  parseOriginMap,
  unmapOrigin,
} from "./origin_map.ts";
export {
  PinnedConnector,
  type PinnedConnectorOptions,
  type PinnedRoute,
} from "./pinned_connector.ts";
