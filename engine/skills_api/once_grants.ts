/**
 * Grants the owner gave for one call only ("allow once" in an MCP client's
 * approval prompt, #27): held in memory, never persisted, each behind a
 * random single-use token that expires in seconds. The caller that asked
 * retries its refused call with the token; the engine takes the token
 * when that call starts and applies the grant to that call alone, and only
 * when it runs the skill and tool the grant names.
 *
 * @module
 */
import { ErrorCode, RpcError } from "../errors.ts";
import type { OnceGrant } from "../grants/mod.ts";

/** How long a once-grant waits for its retry, in ms. */
export const ONCE_TTL_MS = 30_000;

/** Once-grants waiting at most; older ones go first past it. */
const MAX_WAITING = 100;

/** The once-grants waiting for their call. */
export class OnceGrants {
  #waiting = new Map<string, { grant: OnceGrant; expires: number }>();
  #now: () => number;

  /** @param now the clock (a seam for tests) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Holds a grant for one call.
   *
   * @param grant the skill, tool and grant
   * @returns the token its retry sends
   */
  give(grant: OnceGrant): string {
    this.#drop();
    if (this.#waiting.size >= MAX_WAITING) {
      this.#waiting.delete(this.#waiting.keys().next().value!);
    }
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    const token = `once-${
      btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll(
        "/",
        "_",
      )
    }`;
    this.#waiting.set(token, { grant, expires: this.#now() + ONCE_TTL_MS });
    return token;
  }

  /**
   * Takes a grant for the call that starts now: the token is used up.
   *
   * @param token what `give` returned
   * @returns the grant
   * @throws {RpcError} Forbidden for an unknown, used or expired token
   */
  take(token: string): OnceGrant {
    this.#drop();
    const held = this.#waiting.get(token);
    this.#waiting.delete(token);
    if (!held) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `The one-call grant "${
          token.slice(0, 60)
        }" is unknown, used or expired (it lasts ${
          ONCE_TTL_MS / 1000
        } s and covers one call)`,
        { check: "once" },
      );
    }
    return held.grant;
  }

  #drop(): void {
    const now = this.#now();
    for (const [token, held] of this.#waiting) {
      if (held.expires <= now) this.#waiting.delete(token);
    }
  }
}
