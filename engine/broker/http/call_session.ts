import { isObject } from "../../is_object.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { inDomain } from "../../grants/mod.ts";
import {
  type CallCredentials,
  type ConnectionCredential,
  type Cookie,
  cookieKey,
  isCookieAuth,
  MIN_MASKED_COOKIE,
  placeholderFragment,
  rowFromCookies,
  transformedKeyError,
} from "../credentials/mod.ts";
import type { RpcError } from "../../errors.ts";
import { applyAuthTemplates } from "./apply_auth_templates.ts";
import {
  addClientHeaders,
  type ClientKind,
  clientKind,
} from "./client_kinds.ts";
import { cookieHeader, CookieJar, parseCookiePairs } from "./cookie_jar.ts";

/** What {@linkcode CallSession.prepare} works on. */
export interface PreparedRequest {
  method: string;
  /** The URL the skill named (query included); may gain template parameters. */
  url: URL;
  headers: Headers;
  /** The dispatch params with values in. */
  sent: Record<string, unknown>;
  /** The dispatch params as the skill sent them. */
  original: Record<string, unknown>;
}

/** Options for {@linkcode CallSession}. */
export interface CallSessionOptions {
  /** The skill (for messages). */
  skillId: string;
  /** The skill's declared connections. */
  connections: ConnectionInfo[];
  /** The credential each connection holds in this call. */
  bindings: ConnectionCredential[];
  /** The call's credentials: cookies join them (masked, redacted). */
  credentials?: CallCredentials;
}

/** A cookie as the skill sees it (value masked unless it may see values). */
export type CookieView = Omit<Cookie, "hostOnly">;

/** A vault row the call's cookie changes rewrite. */
export interface CookieWrite {
  domain: string;
  identifier: string;
  fields: Record<string, string>;
}

/** A stored credential a server answered 401 or 403 to. */
export interface RejectedCredential {
  /** The vault row's domain and identifier. */
  domain: string;
  identifier: string;
  status: number;
}

/**
 * What one call's requests share beyond its credentials: the skill's
 * connections (client kinds, auth templates), each connection's
 * credential, and the call's cookie jar (seeded from stored cookies, fed
 * by every `Set-Cookie`). The HTTP broker asks it to prepare each request
 * and to add cookies to each hop.
 */
export class CallSession {
  #connections: ConnectionInfo[];
  #bindings: ConnectionCredential[];
  #credentials?: CallCredentials;
  #jar?: CookieJar;
  #registered = new Set<string>();
  #skillId: string;
  #refusal?: RpcError;
  #authFailures = 0;
  #rejected: RejectedCredential | undefined;
  #refusedCarried: RejectedCredential | undefined;

  /** @param options connections, their credentials and the call's credentials */
  constructor(options: CallSessionOptions) {
    this.#skillId = options.skillId;
    this.#connections = options.connections;
    this.#bindings = options.bindings;
    this.#credentials = options.credentials;
    const wantsJar = options.connections.some((c) =>
      c.client === "browser" || c.client === "fetch" || isCookieAuth(c)
    );
    if (wantsJar) {
      this.#jar = new CookieJar();
      for (const binding of this.#bindings) {
        if (binding.cookies) this.#jar.seed(binding.cookies);
      }
    }
  }

  /**
   * The params a request goes out with before placeholders are replaced:
   * a `cookies=` string or object becomes the request's `Cookie` header
   * (unless the skill set one), so its placeholders are replaced too.
   *
   * @param params the dispatch params
   * @returns the params to substitute and send
   */
  expand(params: Record<string, unknown>): Record<string, unknown> {
    const pairs = parseCookiePairs(params.cookies);
    if (!pairs || pairs.length === 0) return params;
    const headers = isObject(params.headers) ? { ...params.headers } : {};
    if (Object.keys(headers).some((k) => k.toLowerCase() === "cookie")) {
      return params;
    }
    headers.Cookie = cookieHeader(pairs);
    return { ...params, headers };
  }

  /**
   * Adds what the engine owes a request: the auth templates of the
   * connection it goes to and the client kind's header bundle (the
   * request's `client=`, else its connection's).
   *
   * @param request the request (changed in place)
   * @returns the connections whose templates were applied
   */
  prepare(request: PreparedRequest): string[] {
    const sent: string[] = [];
    const applied = applyAuthTemplates(request, this.#bindings, sent);
    this.#credentials?.assertMaySend(sent, this.#skillId);
    const kind = this.#kind(request.original);
    if (kind) addClientHeaders(request.headers, kind);
    return applied;
  }

  /**
   * The headers of one hop with the call's cookies for its URL: the
   * skill's own `Cookie` header (or `cookies=`) instead when it gave one,
   * less the names in `skip_cookies`. None for an `api` client or an
   * `incognito` request.
   *
   * @param url the hop's URL as the skill named it
   * @param headers the request's headers
   * @param params the dispatch params
   * @returns the headers to send
   */
  withCookies(
    url: URL,
    headers: Headers,
    params: Record<string, unknown>,
  ): Headers {
    const skip = Array.isArray(params.skip_cookies)
      ? new Set(params.skip_cookies.map(String))
      : new Set<string>();
    const own = headers.get("cookie");
    let pairs: { name: string; value: string }[];
    if (own !== null) pairs = parseCookiePairs(own) ?? [];
    else if (this.#jarFor(params)) pairs = this.#jar!.matching(url);
    else return headers;
    const kept = pairs.filter((p) => !skip.has(p.name));
    if (own === null && kept.length === 0) return headers;
    if (own !== null && kept.length === pairs.length) return headers;
    const out = new Headers(headers);
    if (kept.length > 0) out.set("cookie", cookieHeader(kept));
    else out.delete("cookie");
    return out;
  }

  /**
   * Refuses a request of a masked skill that carries a cut or encoded
   * placeholder: it tried to transform its key. The call fails even if
   * the skill catches the error.
   *
   * @param texts the hop's URL, header values and body
   * @throws {RpcError} Forbidden naming `agentos skills allow <skill> --secrets`
   */
  checkOutgoing(texts: string[]): void {
    if (!this.#credentials?.masked || !placeholderFragment(texts)) return;
    throw this.#refuse("sent a cut or encoded credential placeholder");
  }

  /**
   * Takes in one response: every `Set-Cookie` goes to the jar (each value
   * long enough to be a secret joins the call's credentials: masked for
   * the skill, redacted everywhere else), and a 401 or 403 from a
   * credential's domain is counted as an auth failure. A masked skill
   * refused by the domain of an API key it holds, on a request that
   * carried none of it, was signing or transforming the key: the call fails.
   *
   * @param url the hop's URL as the skill named it
   * @param response the response
   * @param request the dispatch params, and whether the request carried a credential
   * @returns the Forbidden error to fail the request with, for a key the
   *   skill transformed
   */
  received(
    url: URL,
    response: Response,
    request: { params: Record<string, unknown>; carried: boolean },
  ): RpcError | undefined {
    const { params, carried } = request;
    const setCookies = response.headers.getSetCookie();
    if (setCookies.length > 0 && this.#jarFor(params)) {
      for (const cookie of this.#jar!.ingest(url, setCookies)) {
        this.#register(cookie);
      }
    }
    if (response.status !== 401 && response.status !== 403) return undefined;
    const host = url.hostname.toLowerCase();
    const holder = this.#bindings.find((b) =>
      inDomain(host, b.domain.replace(/^\./, ""))
    );
    if (!holder) return undefined;
    this.#authFailures++;
    this.#rejected ??= {
      domain: holder.domain,
      identifier: holder.identifier,
      status: response.status,
    };
    // Only a request the engine put the stored key on says the key is bad.
    if (carried && !holder.cookies) {
      this.#refusedCarried ??= {
        domain: holder.domain,
        identifier: holder.identifier,
        status: response.status,
      };
    }
    if (carried || holder.cookies || !this.#credentials?.masked) {
      return undefined;
    }
    return this.#refuse(
      `got HTTP ${response.status} from "${host}" on a request that carried none of its credential for "${holder.domain}" (it signs or transforms the key itself)`,
    );
  }

  /** The refusal that fails the call, if a request was refused for a transformed key. */
  get refusal(): RpcError | undefined {
    return this.#refusal;
  }

  /** How many 401/403 answers came from a credential's domain in this call. */
  get authFailures(): number {
    return this.#authFailures;
  }

  /** The stored credential the first 401/403 of the call answered, if any. */
  get rejectedCredential(): RejectedCredential | undefined {
    return this.#rejected;
  }

  /**
   * The stored credential its own domain answered 401/403 to on a request
   * that carried it (the engine substituted it or applied the connection's
   * auth template), if any: the engine's own fact, behind the MCP proxy's
   * "replace the key" link (#27).
   */
  get refusedCredential(): RejectedCredential | undefined {
    return this.#refusedCarried;
  }

  #refuse(how: string): RpcError {
    this.#refusal ??= transformedKeyError(this.#skillId, how);
    return this.#refusal;
  }

  /** Whether the call has a cookie jar. */
  get hasJar(): boolean {
    return this.#jar !== undefined;
  }

  /**
   * The jar as the skill may see it: every live cookie, values masked.
   *
   * @returns the cookies (empty without a jar)
   */
  jarView(): CookieView[] {
    if (!this.#jar) return [];
    const mask = (v: string) => this.#credentials?.mask(v) ?? v;
    return this.#jar.list().map(({ hostOnly: _, ...c }) => ({
      ...c,
      value: mask(c.value),
    }));
  }

  /**
   * The vault rows to rewrite after a successful call: each stored
   * cookie credential with the call's changes to cookies of its domain
   * applied by `(domain, path, name)`.
   *
   * @returns the rows whose cookies changed
   */
  cookieWrites(): CookieWrite[] {
    if (!this.#jar) return [];
    const { set, removed } = this.#jar.changes();
    const writes: CookieWrite[] = [];
    for (const binding of this.#bindings) {
      if (!binding.cookies) continue;
      const domain = binding.domain.replace(/^\./, "");
      const mine = (c: Cookie) => inDomain(c.domain, domain);
      const changed = set.filter(mine), gone = removed.filter(mine);
      if (changed.length === 0 && gone.length === 0) continue;
      const rows = new Map(binding.cookies.map((c) => [cookieKey(c), c]));
      for (const cookie of gone) rows.delete(cookieKey(cookie));
      for (const cookie of changed) rows.set(cookieKey(cookie), cookie);
      writes.push({
        domain: binding.domain,
        identifier: binding.identifier,
        fields: rowFromCookies([...rows.values()]),
      });
    }
    return writes;
  }

  #register(cookie: Cookie): void {
    const credentials = this.#credentials;
    if (!credentials || cookie.value.length < MIN_MASKED_COOKIE) return;
    if (this.#registered.has(cookie.value)) return;
    this.#registered.add(cookie.value);
    credentials.add({
      domain: cookie.domain,
      value: { [cookie.name]: cookie.value },
      scope: { domain: cookie.domain },
    });
  }

  #jarFor(params: Record<string, unknown>): boolean {
    if (!this.#jar || params.incognito === true) return false;
    const kind = this.#kind(params);
    if (kind) return kind !== "api";
    const connection = this.#connection(params);
    return connection !== undefined && isCookieAuth(connection);
  }

  #kind(params: Record<string, unknown>): ClientKind | undefined {
    return clientKind(params.client) ??
      clientKind(this.#connection(params)?.client);
  }

  /** The connection a request names (`connection`), else the only one. */
  #connection(params: Record<string, unknown>): ConnectionInfo | undefined {
    const name = params.connection;
    if (typeof name === "string") {
      return this.#connections.find((c) => c.name === name);
    }
    return this.#connections.length === 1 ? this.#connections[0] : undefined;
  }
}
