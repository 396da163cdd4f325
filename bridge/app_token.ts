/** The token file's name inside the home: `$AGENTOS_HOME/bridge.token`. */
export const TOKEN_FILE = "bridge.token";

const TOKEN_PATTERN = /^aos_app_[A-Za-z0-9_-]{43}$/;

/**
 * The per-install app token: a random secret in a mode-0600 file next to the
 * engine socket. Apps on other origins send it as `Authorization: Bearer
 * <token>`; every mutation and capability invocation needs it. The file is
 * re-read whenever it changes, so a rotation takes effect on the next
 * request without restarting the bridge.
 *
 * A file rather than the `settings` table: the bridge's database connection
 * is read-only, and the token must not travel with a copied database.
 */
export class AppToken {
  /** The token file. */
  readonly path: string;
  #value = "";
  #stamp = "";

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens the token file, creating it with a fresh token when missing.
   *
   * @param path the token file, usually `$AGENTOS_HOME/bridge.token`
   * @returns the token holder
   * @throws {Deno.errors.PermissionDenied | Deno.errors.NotCapable} when the file cannot be read or created
   */
  static open(path: string): AppToken {
    const token = new AppToken(path);
    token.#refresh();
    return token;
  }

  /**
   * Checks a presented token in constant time.
   *
   * @param candidate the token the client sent, if any
   * @returns whether it is the current token
   */
  verify(candidate: string | undefined): boolean {
    const value = this.#refresh();
    if (candidate === undefined || candidate.length !== value.length) {
      return false;
    }
    let difference = 0;
    for (let i = 0; i < value.length; i++) {
      difference |= value.charCodeAt(i) ^ candidate.charCodeAt(i);
    }
    return difference === 0;
  }

  /**
   * The current token (re-read when the file changed), for handing it to
   * the explorer page that redeemed a one-time open code.
   *
   * @returns the token
   */
  current(): string {
    return this.#refresh();
  }

  #refresh(): string {
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(this.path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      this.#value = readOrCreateTokenSync(this.path);
      stat = Deno.statSync(this.path);
    }
    const stamp = `${stat.mtime?.getTime()}:${stat.ino}:${stat.size}`;
    if (stamp !== this.#stamp) {
      this.#value = readOrCreateTokenSync(this.path);
      this.#stamp = stamp;
    }
    return this.#value;
  }
}

/**
 * Reads the token, creating the file (mode 0600) with a new token when it
 * does not exist. Safe against a concurrent creator: exactly one wins.
 *
 * @param path the token file
 * @returns the token
 * @throws {TypeError} when the file holds something that is not a token
 */
export function readOrCreateTokenSync(path: string): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const text = Deno.readTextFileSync(path).trim();
      if (TOKEN_PATTERN.test(text)) {
        tightenMode(path);
        return text;
      }
      // A concurrent creator may not have written yet: look again shortly.
      if (text !== "" || attempt === 49) {
        throw new TypeError(
          `Invalid app token file "${path}": delete it and run "agentos bridge token" to make a new one`,
        );
      }
      sleepSync(10);
      continue;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const token = newToken();
    try {
      using file = Deno.openSync(path, {
        createNew: true,
        write: true,
        mode: 0o600,
      });
      file.writeSync(new TextEncoder().encode(`${token}\n`));
      return token;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
  throw new TypeError(`Cannot read the app token file "${path}"`);
}

/**
 * Replaces the token with a new one (atomically, by renaming a new file over
 * the old). Apps holding the old token get 401 from then on.
 *
 * @param path the token file
 * @returns the new token
 */
export function rotateTokenSync(path: string): string {
  const token = newToken();
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    using file = Deno.openSync(temporary, {
      createNew: true,
      write: true,
      mode: 0o600,
    });
    file.writeSync(new TextEncoder().encode(`${token}\n`));
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch {
      // Nothing was created.
    }
    throw error;
  }
  Deno.renameSync(temporary, path);
  return token;
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `aos_app_${
    base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
  }`;
}

function tightenMode(path: string): void {
  const mode = Deno.statSync(path).mode;
  // A token readable by other users is no secret: take the access back.
  if (mode !== null && (mode & 0o077) !== 0) Deno.chmodSync(path, 0o600);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
