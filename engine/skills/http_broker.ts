import { ErrorCode, isObject, RpcError } from "../rpc/mod.ts";
import { checkEgress, type EgressSubject } from "./egress.ts";
import { mapOrigin, type OriginMap, unmapOrigin } from "./origin_map.ts";

/** Largest response body handed to a skill: 5 MiB. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** Largest request body a skill may send: 5 MiB. */
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

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

// Headers the broker sets itself (or that would lie about the body).
const DROPPED_HEADERS = new Set([
  "host",
  "content-length",
  "connection",
  "transfer-encoding",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "proxy-authorization",
  "proxy-connection",
]);

/** What the broker needs to know about the requesting skill. */
export type HttpRequester = EgressSubject;

/** Options for {@linkcode HttpBroker.request}. */
export interface HttpRequestOptions {
  /** Aborts the request (the call ended). */
  signal?: AbortSignal;
}

/** The response as the SDK reads it (`json` is parsed by the SDK from `body`). */
export interface HttpResponse {
  status: number;
  ok: boolean;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Options for {@linkcode HttpBroker}. */
export interface HttpBrokerOptions {
  /** Origin maps in order of precedence, read at each request (prefs first, then the environment's). */
  originMaps: () => OriginMap[];
  /** The fetch to use (a seam for tests). */
  fetch?: typeof fetch;
}

/**
 * Performs a skill's `http.request` dispatch with Deno's `fetch`, after the
 * egress check: timeouts, at most {@linkcode MAX_REDIRECTS} redirects (each
 * hop checked again), a response size cap, and the origin map applied last
 * (host checks see the URL the skill named).
 */
export class HttpBroker {
  #options: HttpBrokerOptions;

  /** @param options origin maps and the fetch seam */
  constructor(options: HttpBrokerOptions) {
    this.#options = options;
  }

  /**
   * Performs one request.
   *
   * @param requester the skill and its egress set
   * @param params the dispatch params: method, url, params, headers, json, data, timeout
   * @param options the call's abort signal
   * @returns status, ok, final url, lower-case headers and the body as text
   * @throws {RpcError} Forbidden (egress, size), InvalidParams, Timeout, or
   *   InternalError for a network failure
   */
  async request(
    requester: HttpRequester,
    params: Record<string, unknown>,
    options: HttpRequestOptions = {},
  ): Promise<HttpResponse> {
    const { signal } = options;
    let method = String(params.method ?? "GET").toUpperCase();
    if (!METHODS.has(method)) {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Unsupported HTTP method "${method}"`,
      );
    }
    let url = requestUrl(params);
    const headers = requestHeaders(params.headers);
    let body = requestBody(params, headers);
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
      checkEgress(requester, url);
      const target = mapOrigin(url, ...maps);
      let response: Response;
      try {
        response = await doFetch(target, {
          method,
          headers,
          body,
          redirect: "manual",
          signal: combined,
        });
      } catch (error) {
        throw fetchError(error, url, timeout.aborted, timeoutS);
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) {
          throw new RpcError(
            ErrorCode.Forbidden,
            `Too many redirects from "${url.host}" (more than ${MAX_REDIRECTS})`,
          );
        }
        url = unmapOrigin(new URL(location, target), ...maps);
        if (
          response.status === 303 ||
          ((response.status === 301 || response.status === 302) &&
            method === "POST")
        ) {
          method = method === "HEAD" ? "HEAD" : "GET";
          body = undefined;
          headers.delete("content-type");
        }
        continue;
      }
      const text = method === "HEAD"
        ? (await response.body?.cancel(), "")
        : await readBody(response, url, timeout, timeoutS);
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        out[name] = value;
      });
      return {
        status: response.status,
        ok: response.ok,
        url: url.href,
        headers: out,
        body: text,
      };
    }
  }
}

function requestUrl(params: Record<string, unknown>): URL {
  let url: URL;
  try {
    url = new URL(String(params.url));
  } catch {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `"${String(params.url).slice(0, 200)}" is not an absolute URL`,
    );
  }
  const query = params.params;
  if (isObject(query)) {
    for (const [key, value] of Object.entries(query)) {
      if (value === null || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        url.searchParams.append(key, scalar(item));
      }
    }
  }
  return url;
}

function requestHeaders(value: unknown): Headers {
  const headers = new Headers();
  if (!isObject(value)) return headers;
  for (const [name, raw] of Object.entries(value)) {
    if (raw === null || raw === undefined) continue;
    if (DROPPED_HEADERS.has(name.toLowerCase())) continue;
    try {
      headers.set(name, String(raw));
    } catch {
      throw new RpcError(
        ErrorCode.InvalidParams,
        `Invalid HTTP header "${name.slice(0, 100)}"`,
      );
    }
  }
  return headers;
}

function requestBody(
  params: Record<string, unknown>,
  headers: Headers,
): string | undefined {
  let body: string | undefined;
  if (params.json !== undefined && params.json !== null) {
    body = JSON.stringify(params.json);
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/json");
    }
  } else if (typeof params.data === "string") {
    body = params.data;
  } else if (isObject(params.data)) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params.data)) {
      if (value === null || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) {
        form.append(key, scalar(item));
      }
    }
    body = form.toString();
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/x-www-form-urlencoded");
    }
  }
  if (body !== undefined && body.length > MAX_REQUEST_BYTES) {
    throw new RpcError(
      ErrorCode.Forbidden,
      `Request body of ${body.length} characters exceeds the ${MAX_REQUEST_BYTES} byte limit`,
    );
  }
  return body;
}

async function readBody(
  response: Response,
  url: URL,
  timeout: AbortSignal,
  timeoutS: number,
): Promise<string> {
  if (!response.body) return "";
  const declared = Number(response.headers.get("content-length"));
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body.cancel();
    throw tooLarge(url);
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) throw tooLarge(url);
      parts.push(chunk);
    }
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw fetchError(error, url, timeout.aborted, timeoutS);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder(charset(response.headers.get("content-type")))
    .decode(all);
}

function charset(contentType: string | null): string {
  const label = /charset="?([\w.:-]+)/i.exec(contentType ?? "")?.[1];
  if (!label) return "utf-8";
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return "utf-8";
  }
}

function tooLarge(url: URL): RpcError {
  return new RpcError(
    ErrorCode.Forbidden,
    `Response from "${url.host}" exceeds the ${MAX_RESPONSE_BYTES} byte limit`,
  );
}

function fetchError(
  error: unknown,
  url: URL,
  timedOut: boolean,
  timeoutS: number,
): RpcError {
  if (
    timedOut || (error instanceof DOMException && error.name === "TimeoutError")
  ) {
    return new RpcError(
      ErrorCode.Timeout,
      `HTTP request to "${url.host}" did not finish within ${timeoutS} s`,
    );
  }
  const cause = (error as Error).message?.split("\n")[0] ?? String(error);
  // No application code fits a failure of the remote side better; the
  // message says what happened.
  return new RpcError(
    ErrorCode.InternalError,
    `HTTP request to "${url.host}" failed: ${cause}`,
  );
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}
