import { type Cookie, cookieKey } from "../credentials/mod.ts";
import { inDomain, isPublicSuffix } from "../../grants/mod.ts";

/** Cookies one jar keeps at most (oldest dropped first). */
const MAX_COOKIES = 300;
/** Longest Set-Cookie line read. */
const MAX_SET_COOKIE = 8192;

/** What a call's cookies changed, by `(domain, path, name)`. */
export interface CookieChanges {
  /** Added or given a new value or attributes. */
  set: Cookie[];
  /** Expired or deleted by the server. */
  removed: Cookie[];
}

/**
 * One call's cookie jar, following RFC 6265: `Set-Cookie` from every
 * response is stored by `(domain, path, name)`, and each request carries
 * the cookies whose domain, path, expiry and `Secure` flag match its URL.
 * Works on the URL the skill named (an origin map does not change which
 * cookies a site gets).
 */
export class CookieJar {
  #cookies = new Map<string, Cookie>();
  #seeded = new Map<string, Cookie>();
  #now: () => number;

  /** @param now the clock in milliseconds (a seam for tests) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Adds stored cookies; what the call changes is measured against them.
   *
   * @param cookies cookies from the vault
   */
  seed(cookies: Cookie[]): void {
    for (const cookie of cookies) {
      this.#cookies.set(cookieKey(cookie), { ...cookie });
      this.#seeded.set(cookieKey(cookie), { ...cookie });
    }
  }

  /**
   * Stores the cookies of one response.
   *
   * @param url the URL the skill named for the request
   * @param lines the response's `Set-Cookie` lines (all of them)
   * @returns the cookies set (not those removed or refused)
   */
  ingest(url: URL, lines: string[]): Cookie[] {
    const stored: Cookie[] = [];
    for (const line of lines) {
      const cookie = parseSetCookie(line, url, this.#now());
      if (!cookie) continue;
      const key = cookieKey(cookie);
      this.#cookies.delete(key); // re-inserted last: newest last
      for (const [other, old] of this.#cookies) {
        if (
          old.loose && old.name === cookie.name &&
          inDomain(cookie.domain, old.domain)
        ) this.#cookies.delete(other);
      }
      if (cookie.expires !== null && cookie.expires * 1000 <= this.#now()) {
        continue;
      }
      this.#cookies.set(key, cookie);
      stored.push(cookie);
      if (this.#cookies.size > MAX_COOKIES) {
        this.#cookies.delete(this.#cookies.keys().next().value!);
      }
    }
    return stored;
  }

  /**
   * The cookies a request to `url` carries, longest path first.
   *
   * @param url the URL the skill named
   * @returns the cookies
   */
  matching(url: URL): Cookie[] {
    const host = bareHost(url);
    const now = this.#now();
    const secure = url.protocol === "https:";
    return [...this.#cookies.values()].filter((c) =>
      (c.expires === null || c.expires * 1000 > now) &&
      (c.hostOnly ? host === c.domain : inDomain(host, c.domain)) &&
      pathMatches(url.pathname || "/", c.path) &&
      (!c.secure || secure)
    ).sort((a, b) => b.path.length - a.path.length);
  }

  /** Every live cookie, oldest first. */
  list(): Cookie[] {
    const now = this.#now();
    return [...this.#cookies.values()].filter((c) =>
      c.expires === null || c.expires * 1000 > now
    );
  }

  /** What changed since {@linkcode CookieJar.seed}. */
  changes(): CookieChanges {
    const live = new Map(this.list().map((c) => [cookieKey(c), c]));
    const set = [...live.entries()].filter(([key, c]) => {
      const before = this.#seeded.get(key);
      return !before || JSON.stringify(before) !== JSON.stringify(c);
    }).map(([, c]) => c);
    const removed = [...this.#seeded.entries()].filter(([key]) =>
      !live.has(key)
    ).map(([, c]) => c);
    return { set, removed };
  }
}

/**
 * Reads one `Set-Cookie` line for a response to `url`.
 *
 * @returns the cookie (an expiry in the past means "delete"), or undefined
 *   when the line is malformed or the cookie is not the site's to set
 */
export function parseSetCookie(
  line: string,
  url: URL,
  nowMs: number,
): Cookie | undefined {
  if (line.length > MAX_SET_COOKIE) return undefined;
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
  if (name === "" || /[\s=,;]/.test(name)) return undefined;
  const host = bareHost(url);
  const cookie: Cookie = {
    name,
    value,
    domain: host,
    hostOnly: true,
    path: defaultPath(url.pathname),
    expires: null,
    secure: false,
    httpOnly: false,
    sameSite: null,
  };
  let maxAge: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim()
      .toLowerCase();
    const val = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (key === "domain" && val !== "") {
      const domain = val.toLowerCase().replace(/^\./, "");
      // Only the site's own domain or a parent below the public suffix
      // (the same rule as vault writes). A public suffix is no one's: its
      // own host keeps the cookie host-only (RFC 6265 5.3 step 5).
      if (!inDomain(host, domain)) return undefined;
      if (isPublicSuffix(domain)) {
        if (domain !== host) return undefined;
        continue;
      }
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === "path") {
      cookie.path = val.startsWith("/") ? val : defaultPath(url.pathname);
    } else if (key === "max-age" && /^-?\d+$/.test(val)) {
      maxAge = Number(val);
    } else if (key === "expires") {
      const ms = Date.parse(val);
      if (!Number.isNaN(ms)) cookie.expires = Math.floor(ms / 1000);
    } else if (key === "secure") cookie.secure = true;
    else if (key === "httponly") cookie.httpOnly = true;
    else if (key === "samesite") cookie.sameSite = val || null;
  }
  if (maxAge !== undefined) {
    cookie.expires = maxAge <= 0
      ? 0
      : Math.floor(nowMs / 1000) + Math.min(maxAge, 400 * 86400);
  }
  if (cookie.secure && url.protocol !== "https:") return undefined;
  if (name.startsWith("__Secure-") && !cookie.secure) return undefined;
  if (
    name.startsWith("__Host-") &&
    (!cookie.secure || !cookie.hostOnly || cookie.path !== "/")
  ) return undefined;
  return cookie;
}

/**
 * A `Cookie` header value.
 *
 * @param cookies the cookies, in order
 * @returns `a=1; b=2`
 */
export function cookieHeader(
  cookies: Pick<Cookie, "name" | "value">[],
): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

/**
 * Reads a `Cookie`-style string (`a=1; b=2`) or an object of names to values.
 *
 * @param value a request's `cookies=`
 * @returns name and value pairs, or undefined for anything else
 */
export function parseCookiePairs(
  value: unknown,
): { name: string; value: string }[] | undefined {
  if (typeof value === "string") {
    return value.split(";").map((part) => part.trim()).filter((part) =>
      part.includes("=")
    ).map((part) => {
      const eq = part.indexOf("=");
      return { name: part.slice(0, eq).trim(), value: part.slice(eq + 1) };
    });
  }
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).filter(([, v]) =>
      v !== null && v !== undefined
    ).map(([name, v]) => ({ name, value: String(v) }));
  }
  return undefined;
}

function bareHost(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

function defaultPath(path: string): string {
  if (!path.startsWith("/")) return "/";
  const last = path.lastIndexOf("/");
  return last <= 0 ? "/" : path.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/";
}
