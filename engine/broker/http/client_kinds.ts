/**
 * Client kinds: the header bundle a connection's `client="browser" |
 * "fetch" | "api"` adds to each request, so sites that check for a real
 * browser answer a skill as they answer one. `browser` is an address-bar
 * navigation, `fetch` an in-page XHR; `api` (the default) adds nothing.
 * The skill's own headers always win.
 *
 * @module
 */

/** The kinds a connection or a single request may name. */
export type ClientKind = "browser" | "fetch" | "api";

const CHROME_MAJOR = "142";
const CHROME_FULL = "142.0.7444.176";

/** The desktop browser the bundles describe (Chrome on Windows). */
export const BROWSER_USER_AGENT =
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${CHROME_MAJOR}.0.0.0 Safari/537.36`;

const HINTS: Record<string, string> = {
  "user-agent": BROWSER_USER_AGENT,
  "accept-language": "en-US,en;q=0.9",
  "sec-ch-ua":
    `"Chromium";v="${CHROME_MAJOR}", "Google Chrome";v="${CHROME_MAJOR}", "Not_A Brand";v="99"`,
  "sec-ch-ua-mobile": "?0",
  "sec-ch-ua-platform": '"Windows"',
};

const BUNDLES: Record<ClientKind, Record<string, string>> = {
  browser: {
    ...HINTS,
    "sec-ch-ua-full-version-list":
      `"Chromium";v="${CHROME_FULL}", "Google Chrome";v="${CHROME_FULL}", "Not_A Brand";v="99.0.0.0"`,
    accept:
      "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8",
    "sec-fetch-dest": "document",
    "sec-fetch-mode": "navigate",
    "sec-fetch-site": "none",
    "sec-fetch-user": "?1",
    "upgrade-insecure-requests": "1",
  },
  fetch: {
    ...HINTS,
    accept: "application/json, text/plain, */*",
    "sec-fetch-dest": "empty",
    "sec-fetch-mode": "cors",
    "sec-fetch-site": "same-origin",
  },
  api: {},
};

/**
 * The kind a value names, or undefined for anything else.
 *
 * @param value a connection's `client` or a request's `client=`
 * @returns the kind
 */
export function clientKind(value: unknown): ClientKind | undefined {
  return value === "browser" || value === "fetch" || value === "api"
    ? value
    : undefined;
}

/**
 * Adds a kind's bundle to a request's headers, leaving every header the
 * skill set as it is.
 *
 * @param headers the request's headers (changed in place)
 * @param kind the client kind
 */
export function addClientHeaders(headers: Headers, kind: ClientKind): void {
  for (const [name, value] of Object.entries(BUNDLES[kind])) {
    if (!headers.has(name)) headers.set(name, value);
  }
}
