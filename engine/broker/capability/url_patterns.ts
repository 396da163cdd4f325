/**
 * The URL patterns a provider declares with `@provides(web_read,
 * urls=["github.com/*\/issues/*", …])`, and how a call's URL is matched
 * against them.
 *
 * @module
 */

import { isObject } from "../../is_object.ts";

/** The parameter keys that carry the URL a capability call is about, in order. */
const URL_KEYS = ["url", "uri", "link", "href"];

/**
 * The URL a capability call is about: its `url` parameter (or `uri`,
 * `link`, `href`), else the first top-level string parameter that is an
 * http(s) URL.
 *
 * @param params the call's parameters
 * @returns the URL, or undefined when the call carries none
 */
export function callUrl(params: unknown): string | undefined {
  if (!isObject(params)) return undefined;
  const candidates = [
    ...URL_KEYS.map((key) => params[key]),
    ...Object.values(params),
  ];
  for (const value of candidates) {
    if (typeof value === "string" && /^https?:\/\/[^\s]+$/i.test(value)) {
      return value;
    }
  }
  return undefined;
}

/**
 * The patterns a tool's `@provides(..., urls=[...])` declared; strings only.
 *
 * @param options the tool's `provides_options`
 * @returns the patterns (empty for a generic provider)
 */
export function declaredUrls(options: Record<string, unknown>): string[] {
  const urls = options.urls;
  if (typeof urls === "string") return [urls];
  if (!Array.isArray(urls)) return [];
  return urls.filter((u): u is string => typeof u === "string" && u !== "");
}

/**
 * How specifically one of `patterns` matches `url`: the number of literal
 * (non-`*`) characters of the best matching pattern, or undefined when none
 * matches. A pattern is a host and path without scheme, `*` standing for
 * any run of characters (slashes included); the URL's scheme, port, query
 * and fragment are ignored, a leading `www.` of the URL's host is optional
 * when the pattern's host does not name it, and host names compare without
 * case.
 *
 * @param patterns the provider's patterns
 * @param url the call's URL
 * @returns the specificity, higher is more specific
 * @example
 * ```ts
 * urlSpecificity(["github.com/*\/issues/*"], "https://github.com/a/b/issues/1"); // 18
 * urlSpecificity(["github.com/*\/issues/*"], "https://gitlab.com/a/b/issues/1"); // undefined
 * ```
 */
export function urlSpecificity(
  patterns: string[],
  url: string,
): number | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.toLowerCase();
  const path = parsed.pathname;
  let best: number | undefined;
  for (const pattern of patterns) {
    const stripped = pattern.replace(/^[a-z]+:\/\//i, "");
    const slash = stripped.indexOf("/");
    const patternHost = (slash < 0 ? stripped : stripped.slice(0, slash))
      .toLowerCase();
    const patternPath = slash < 0 ? "/*" : stripped.slice(slash);
    const hosts = [host];
    if (host.startsWith("www.") && !patternHost.startsWith("www.")) {
      hosts.push(host.slice(4));
    }
    const hostMatch = hosts.some((h) => glob(patternHost).test(h));
    if (!hostMatch || !glob(patternPath).test(path)) continue;
    const literal = stripped.replaceAll("*", "").length;
    if (best === undefined || literal > best) best = literal;
  }
  return best;
}

function glob(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) =>
    part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")
  );
  return new RegExp(`^${escaped.join(".*")}$`, "s");
}
