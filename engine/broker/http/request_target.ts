/**
 * The first stage of a brokered HTTP request: the method and URL the skill
 * named, read from the dispatch params before anything else is done.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../../errors.ts";
import { requestUrl } from "./http_parts.ts";

const METHODS = new Set([
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
]);

/** The method and URL as the skill named them (placeholders not yet substituted). */
export interface RequestTarget {
  method: string;
  url: URL;
}

/**
 * Reads the method (GET when none) and the URL of a request.
 *
 * @param params the dispatch params
 * @returns the method, upper case, and the URL with its `params` query
 * @throws {RpcError} InvalidParams for a method outside the supported set or a bad URL
 */
export function resolveTarget(params: Record<string, unknown>): RequestTarget {
  const method = String(params.method ?? "GET").toUpperCase();
  if (!METHODS.has(method)) {
    throw new RpcError(
      ErrorCode.InvalidParams,
      `Unsupported HTTP method "${method.slice(0, 20)}"`,
    );
  }
  return { method, url: requestUrl(params) };
}
