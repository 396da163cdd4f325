/**
 * An origin map (README: "Skills", offline runs): outbound origins sent to other, usually
 * local, origins — `{"https://api.example.com": "http://127.0.0.1:8080"}` —
 * so any skill can run against local servers. Host checks apply to the
 * original URL; only the connection goes elsewhere.
 */
export type OriginMap = ReadonlyMap<string, string>;

/**
 * Parses an origin map from its JSON form.
 *
 * @param value an object from origin to origin (a string is parsed as JSON)
 * @returns the map, keys and values normalised to `URL.origin` form
 * @throws {TypeError} when the value is not such an object
 */
export function parseOriginMap(value: unknown): OriginMap {
  const parsed = typeof value === "string" ? parseJson(value) : value;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(
      `An origin map must be an object like {"https://api.example.com": "http://127.0.0.1:8080"}, got ${
        JSON.stringify(parsed)?.slice(0, 100)
      }`,
    );
  }
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(parsed)) {
    if (typeof to !== "string") {
      throw new TypeError(`Origin map target of "${from}" must be a string`);
    }
    map.set(origin(from), origin(to));
  }
  return map;
}

/** A map's JSON text, or a TypeError that shows the expected form. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TypeError(
      `An origin map must be a JSON object like {"https://api.example.com": "http://127.0.0.1:8080"}, got ${
        JSON.stringify(text.slice(0, 100))
      }, which is not JSON (quote it for the shell: '{"…": "…"}')`,
    );
  }
}

/**
 * Where a request for `url` really goes: only the exact origin (scheme,
 * host and port) is replaced. The path is copied as a path, never parsed
 * as a relative reference, so `//other-host/x` or `/\other-host/x` stays
 * on the mapped origin instead of naming a host of its own.
 *
 * @param url the URL the skill asked for
 * @param maps origin maps, the first match wins
 * @returns the URL to connect to (the same URL when no map matches)
 */
export function mapOrigin(url: URL, ...maps: OriginMap[]): URL {
  for (const map of maps) {
    const target = map.get(url.origin);
    if (target !== undefined) return onOrigin(url, target);
  }
  return url;
}

/** What each labelled origin map is called in messages (its source). */
const LABELS = new WeakMap<OriginMap, string>();

/**
 * Names an origin map by where it came from, for messages about the
 * requests it sends elsewhere.
 *
 * @param map the map
 * @param label e.g. `prefs http.origin_map`
 * @returns the same map
 */
export function labelOriginMap(map: OriginMap, label: string): OriginMap {
  LABELS.set(map, label);
  return map;
}

/**
 * The mapping that sends `url` elsewhere, said for a person:
 * `https://api.example.com → http://127.0.0.1:8080 (prefs http.origin_map)`.
 *
 * @param url the URL the skill asked for
 * @param maps origin maps, the first match wins (as in {@linkcode mapOrigin})
 * @returns the mapping, or undefined when no map matches
 */
export function describeMapping(
  url: URL,
  ...maps: OriginMap[]
): string | undefined {
  for (const map of maps) {
    const target = map.get(url.origin);
    if (target === undefined) continue;
    const label = LABELS.get(map);
    return `${url.origin} → ${target}${label ? ` (${label})` : ""}`;
  }
  return undefined;
}

/**
 * The inverse, for redirects: a `Location` on a mapped target origin is
 * read as being on the origin the skill asked for.
 *
 * @param url a URL as the server named it
 * @param maps origin maps
 * @returns the URL in the skill's terms
 */
export function unmapOrigin(url: URL, ...maps: OriginMap[]): URL {
  for (const map of maps) {
    for (const [from, to] of map) {
      if (to === url.origin) return onOrigin(url, from);
    }
  }
  return url;
}

/** `url`'s path and query on another origin (no user info, no fragment). */
function onOrigin(url: URL, origin: string): URL {
  const out = new URL(origin);
  out.pathname = url.pathname;
  out.search = url.search;
  if (out.origin !== origin) {
    // Unreachable for origins parseOriginMap() produced; kept as the guard.
    throw new TypeError(`Mapping "${url.origin}" left "${origin}"`);
  }
  return out;
}

function origin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TypeError(`"${text}" in the origin map is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`"${text}" in the origin map is not an http(s) origin`);
  }
  return url.origin;
}
