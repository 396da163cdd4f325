import { ErrorCode, RpcError } from "../../errors.ts";
import type { CallCredentials, CarriedCredential } from "../credentials/mod.ts";
import { urlHost } from "../../grants/mod.ts";

/** A request as the skill wrote it, or as the broker sends it. */
export interface RequestParts {
  url: string;
  headers: Headers;
  body?: string;
}

/**
 * Keeps what the broker put into a request on the credential's side of a
 * redirect, as browsers do with `Authorization`. It notes, before the
 * first hop, which header values the broker wrote (substituted
 * placeholders, auth templates: any header that differs from the skill's
 * own) and whether it changed the URL or body; at the first redirect it
 * finds which credentials those carry. When a redirect goes to a host
 * outside one of those credentials' scope, every header the broker wrote
 * is dropped (whatever the value's length: a 4-digit PIN too), and the
 * hop is refused when the body the broker wrote would be sent again
 * (307/308) or the new URL itself carries the value.
 */
export class RedirectGuard {
  #credentials: CallCredentials | undefined;
  #made: string[] = [];
  #bodyMade = false;
  /** What the broker wrote, searched for credentials at the first redirect. */
  #texts: string[] = [];
  #carried: CarriedCredential[] | undefined;

  /**
   * @param credentials the call's credentials (none: nothing to guard)
   * @param original the request as the skill wrote it
   * @param sent the request as the broker will send it
   */
  constructor(
    credentials: CallCredentials | undefined,
    original: RequestParts,
    sent: RequestParts,
  ) {
    if (!credentials || credentials.empty) return;
    this.#credentials = credentials;
    sent.headers.forEach((value, name) => {
      if (original.headers.get(name) !== value) this.#made.push(name);
    });
    this.#bodyMade = (sent.body ?? "") !== (original.body ?? "");
    const texts = this.#made.map((name) => sent.headers.get(name) ?? "");
    if (sent.url !== original.url) texts.push(sent.url);
    if (this.#bodyMade) texts.push(sent.body ?? "");
    this.#texts = texts;
  }

  /**
   * Prepares the next hop: drops the headers the broker wrote when `next`
   * is outside a carried credential's scope.
   *
   * @param next the URL the redirect names
   * @param headers the request headers (changed in place)
   * @param body the body the next hop would send again (307/308), if any
   * @param skillId the skill, for messages
   * @throws {RpcError} Forbidden when the kept body or the new URL would carry the value there
   */
  follow(
    next: URL,
    headers: Headers,
    body: string | undefined,
    skillId: string,
  ): void {
    if (!this.#credentials) return;
    // Searched only when a redirect comes: most requests have none.
    this.#carried ??= this.#credentials.carriedIn(this.#texts);
    const host = urlHost(next);
    const leaving = this.#carried.filter((c) => !c.mayGoTo(host));
    if (leaving.length === 0) return;
    for (const name of this.#made) headers.delete(name);
    this.#made = [];
    const domains = leaving.map((c) => `"${c.domain}"`).join(", ");
    if (body !== undefined && this.#bodyMade) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" was redirected to host "${host}" with a request body that carries the credential for ${domains}; a redirect that keeps the body (307/308) may not take it off the credential's domain; refused`,
        { host, check: "redirects" },
      );
    }
    const inUrl = this.#credentials!.carriedIn([next.href])
      .filter((c) => leaving.some((l) => l.domain === c.domain));
    if (inUrl.length > 0) {
      throw new RpcError(
        ErrorCode.Forbidden,
        `Skill "${skillId}" was redirected to host "${host}" with a URL that carries the credential for ${domains}; refused`,
        { host, check: "redirects" },
      );
    }
  }
}
