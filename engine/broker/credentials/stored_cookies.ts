import { isObject } from "../../is_object.ts";

/** One cookie, as the jar keeps it and the vault stores it. */
export interface Cookie {
  name: string;
  value: string;
  /** Lower case, no leading dot. */
  domain: string;
  /** Sent only to exactly `domain` (no Domain attribute was given). */
  hostOnly: boolean;
  path: string;
  /** Unix seconds, or null for a session cookie. */
  expires: number | null;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
  /**
   * Stored by name only (`__secrets__`, `secrets set`): where the site set
   * it is unknown, so the site's own cookie of that name replaces it.
   */
  loose?: boolean;
}

/** The vault field holding a cookie row's full records (JSON). */
export const JAR_FIELD = "__jar__";

/** Cookie values shorter than this are not masked (`en`, `1`: masking them would rewrite every response). */
export const MIN_MASKED_COOKIE = 8;

/**
 * The cookies a vault row holds: its full records (written back by the
 * engine) and every other field as a cookie of that name for the row's
 * domain and its subdomains (what `__secrets__` and `agentos secrets set`
 * store).
 *
 * @param fields the row's fields
 * @param domain the row's domain
 * @returns the cookies, by (domain, path, name) once each
 */
export function cookiesFromRow(
  fields: Record<string, string>,
  domain: string,
): Cookie[] {
  const out: Cookie[] = [];
  const raw = fields[JAR_FIELD];
  if (typeof raw === "string") {
    try {
      const parsed = JSON.parse(raw);
      if (Array.isArray(parsed)) out.push(...parsed.filter(isCookie));
    } catch {
      // A damaged record list: the plain fields below still seed the jar.
    }
  }
  const bare = domain.toLowerCase().replace(/^\./, "");
  for (const [name, value] of Object.entries(fields)) {
    if (name === JAR_FIELD || out.some((c) => c.name === name)) continue;
    out.push({
      name,
      value,
      domain: bare,
      hostOnly: false,
      path: "/",
      expires: null,
      secure: false,
      httpOnly: false,
      sameSite: null,
      loose: true,
    });
  }
  return out;
}

/**
 * A cookie row's fields for the vault: each cookie by name (the last of a
 * name wins) and the full records under {@linkcode JAR_FIELD}.
 *
 * @param cookies the row's cookies
 * @returns the fields to store
 */
export function rowFromCookies(cookies: Cookie[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const cookie of cookies) fields[cookie.name] = cookie.value;
  fields[JAR_FIELD] = JSON.stringify(cookies);
  return fields;
}

/**
 * The `(domain, path, name)` key cookies are stored and replaced by.
 *
 * @param cookie a cookie
 * @returns the key
 */
export function cookieKey(
  cookie: Pick<Cookie, "domain" | "path" | "name">,
): string {
  return `${cookie.domain}\u0000${cookie.path}\u0000${cookie.name}`;
}

function isCookie(value: unknown): value is Cookie {
  return isObject(value) && typeof value.name === "string" &&
    typeof value.value === "string" && typeof value.domain === "string" &&
    typeof value.path === "string" &&
    (value.expires === null || typeof value.expires === "number");
}

/**
 * Whether a connection's credential is a set of cookies (`auth.type: cookies`).
 *
 * @param connection a declared connection
 * @returns true for a cookie session
 */
export function isCookieAuth(connection: { auth?: unknown }): boolean {
  return isObject(connection.auth) && connection.auth.type === "cookies";
}
