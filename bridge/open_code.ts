/** How long a code printed by `agentos bridge open` can be used. */
export const OPEN_CODE_TTL_S = 120;

const encoder = new TextEncoder();

/**
 * Makes a one-time code that lets the explorer page obtain the app token:
 * `<expiry>.<nonce>.<mac>`, the MAC an HMAC-SHA256 under the app token of
 * the expiry and nonce. Only someone who can read the token file (mode
 * 0600 in the owner's home) can make one; the bridge accepts each code once
 * and only until it expires.
 *
 * @param token the app token
 * @param now the current time in milliseconds (a seam for tests)
 * @returns the code, safe in a URL query
 */
export async function makeOpenCode(
  token: string,
  now = Date.now(),
): Promise<string> {
  const expiry = Math.floor(now / 1000) + OPEN_CODE_TTL_S;
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
  return `${expiry}.${nonce}.${await mac(token, `${expiry}.${nonce}`)}`;
}

/**
 * Accepts each valid, unexpired one-time code once (see
 * {@linkcode makeOpenCode}); remembers the codes it accepted until they
 * expire, so a code seen once (in a terminal's scrollback, a browser's
 * history) cannot be used again.
 */
export class OpenCodes {
  #used = new Map<string, number>();

  /**
   * Checks a code and, when valid, uses it up.
   *
   * @param code what the page sent
   * @param token the current app token
   * @param now the current time in milliseconds
   * @returns undefined when accepted, else why not
   */
  async redeem(
    code: unknown,
    token: string,
    now = Date.now(),
  ): Promise<string | undefined> {
    const seconds = Math.floor(now / 1000);
    for (const [used, expiry] of this.#used) {
      if (expiry < seconds) this.#used.delete(used);
    }
    const match = typeof code === "string"
      ? /^(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(code)
      : null;
    if (!match) return "not an open code";
    const expiry = Number(match[1]);
    if (expiry < seconds) return "the code has expired";
    if (expiry > seconds + OPEN_CODE_TTL_S) return "the code is not valid";
    const expected = await mac(token, `${match[1]}.${match[2]}`);
    if (!sameText(expected, match[3]!)) return "the code is not valid";
    if (this.#used.has(code as string)) return "the code was already used";
    this.#used.set(code as string, expiry);
    return undefined;
  }
}

async function mac(token: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(token),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return base64url(
    new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(text))),
  );
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-")
    .replaceAll("/", "_").replace(/=+$/, "");
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) {
    difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  }
  return difference === 0;
}
