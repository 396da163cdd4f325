import { ErrorCode, RpcError } from "../../errors.ts";
import { isObject } from "../../is_object.ts";

/** Largest response body handed to a skill: 5 MiB. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;

/** Largest request body a skill may send: 5 MiB. */
export const MAX_REQUEST_BYTES = 5 * 1024 * 1024;

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

/**
 * The request URL: `url` with `params` appended as query parameters.
 *
 * @param params the dispatch params
 * @returns the URL
 * @throws {RpcError} InvalidParams for a relative or malformed URL
 */
export function requestUrl(params: Record<string, unknown>): URL {
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

/**
 * The request headers, minus the ones the broker sets itself.
 *
 * @param value the dispatch `headers`
 * @returns the headers
 * @throws {RpcError} InvalidParams for an invalid header
 */
export function requestHeaders(value: unknown): Headers {
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

/**
 * The request body from `json` or `data` (a string or a form), setting
 * its content type when the skill did not.
 *
 * @param params the dispatch params
 * @param headers the request headers (content type added)
 * @returns the body, or undefined
 * @throws {RpcError} Forbidden when larger than {@linkcode MAX_REQUEST_BYTES}
 */
export function requestBody(
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

/**
 * Reads a response body as text, at most {@linkcode MAX_RESPONSE_BYTES}.
 *
 * @param response the response
 * @param url the URL (for messages)
 * @param timeout the request's timeout signal
 * @param timeoutS its length, for messages
 * @returns the body and its size in bytes
 * @throws {RpcError} Forbidden when too large; Timeout; InternalError
 */
export async function readBody(
  response: Response,
  url: URL,
  timeout: AbortSignal,
  timeoutS: number,
): Promise<{ text: string; bytes: number }> {
  const read = await readBodyBytes(response, url, timeout, timeoutS);
  const text = new TextDecoder(read.charset).decode(read.bytes);
  return { text, bytes: read.bytes.length };
}

/**
 * Reads a response body as bytes, at most {@linkcode MAX_RESPONSE_BYTES},
 * with the charset to decode it by (the declared one when this runtime
 * knows it, else UTF-8): {@linkcode readBody} without the decoding, for a
 * caller that decodes a large body off the main thread.
 *
 * @param response the response
 * @param url the URL (for messages)
 * @param timeout the request's timeout signal
 * @param timeoutS its length, for messages
 * @returns the bytes (in a buffer of their own) and the charset's label
 * @throws {RpcError} Forbidden when too large; Timeout; InternalError
 */
export async function readBodyBytes(
  response: Response,
  url: URL,
  timeout: AbortSignal,
  timeoutS: number,
): Promise<{ bytes: Uint8Array; charset: string }> {
  const label = charset(response.headers.get("content-type"));
  if (!response.body) return { bytes: new Uint8Array(0), charset: label };
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
  return { bytes: all, charset: label };
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

/**
 * The error a failed fetch becomes: Timeout, or InternalError naming the
 * host and the first line of the cause (with any URL query cut).
 *
 * @param error what fetch threw
 * @param url the URL (its host is named)
 * @param timedOut whether the request's timeout fired
 * @param timeoutS the timeout, for messages
 * @returns the wire error
 */
export function fetchError(
  error: unknown,
  url: URL,
  timedOut: boolean,
  timeoutS: number,
  tried?: string,
): RpcError {
  // The host the skill named may not be where the request went.
  const at = tried === undefined ? "" : ` (sent to ${tried})`;
  if (
    timedOut || (error instanceof DOMException && error.name === "TimeoutError")
  ) {
    return new RpcError(
      ErrorCode.Timeout,
      `HTTP request to "${url.host}"${at} did not finish within ${timeoutS} s`,
    );
  }
  // Deno's message quotes the URL; its query may carry a credential.
  // "fetch failed" says nothing: the cause says why (connection refused).
  const inner = (error as Error).cause;
  const why = inner instanceof Error
    ? `${(error as Error).message}: ${lastPart(inner.message)}`
    : (error as Error).message;
  const cause = (why?.split("\n")[0] ?? String(error))
    .replace(/\?[^\s)"']*/g, "?…");
  // No application code fits a failure of the remote side better; the
  // message says what happened.
  return new RpcError(
    ErrorCode.InternalError,
    `HTTP request to "${url.host}"${at} failed: ${cause}`,
  );
}

/** The last two parts of a chained message: `tcp connect error: Connection refused …`. */
function lastPart(message: string): string {
  const parts = message.split(": ");
  return parts.slice(-2).join(": ");
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}
