/** Any placeholder, this call's or not (a forged or stale one is refused too). */
export const PLACEHOLDER = /agentos-secret-[0-9a-f]{32}/gi;

/** One placeholder, for `test` and `exec` (no `g` flag: no state kept). */
export const ONE_PLACEHOLDER = /agentos-secret-[0-9a-f]{32}/i;

/** A fresh random placeholder (`agentos-secret-<32 hex>`). */
export function newPlaceholder(): string {
  return `agentos-secret-${randomHex(16)}`;
}

/**
 * Replaces placeholders in a URL, part by part: `replace` receives the
 * path, the user, password and fragment as they stand, and each query key
 * and value decoded (the query is re-encoded only when it holds a
 * placeholder). Text that is not a URL is passed whole.
 *
 * @param text the request's URL
 * @param replace substitutes the placeholders of one part
 * @returns the URL with values in
 */
export function substituteUrl(
  text: string,
  replace: (part: string) => string,
): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return replace(text);
  }
  url.pathname = replace(url.pathname);
  // Rebuilding the query re-encodes it: only when a placeholder is in it.
  if (ONE_PLACEHOLDER.test(url.search)) {
    const query = new URLSearchParams();
    for (const [key, value] of url.searchParams) {
      query.append(decodeReplace(key, replace), decodeReplace(value, replace));
    }
    url.search = query.toString();
  }
  if (url.username || url.password || url.hash) {
    url.username = replace(url.username);
    url.password = replace(url.password);
    url.hash = replace(url.hash);
  }
  return url.href;
}

/** Query parts are decoded already: substitute raw values, URLSearchParams encodes. */
function decodeReplace(
  text: string,
  replace: (part: string) => string,
): string {
  return text.replace(
    PLACEHOLDER,
    (found) => decodeURIComponent(replace(found)),
  );
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
