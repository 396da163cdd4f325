import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppToken } from "./app_token.ts";
import type { BridgeEnv } from "./bridge_env.ts";

/** Options for {@linkcode appAuth}. */
export interface AppAuthOptions {
  /** The per-install token. */
  token: AppToken;
  /** Origins allowed to call the API from a browser (with the token). */
  origins: readonly string[];
}

/**
 * The bridge's access rule, for every route but the explorer page, the SDK
 * and `POST /session`:
 *
 * * a request from another origin (an `Origin` that is not the bridge's own,
 *   or `Sec-Fetch-Site: cross-site`/`same-site`) is refused with 403 unless
 *   its origin is configured;
 * * every request needs the app token, reads included, whoever sends it:
 *   127.0.0.1 is reachable by every local user, and the graph is the
 *   owner's. The explorer page gets the token with a one-time code that
 *   `agentos bridge open` prints (see `session_routes.ts`).
 *
 * The token comes as `Authorization: Bearer <token>`. Sets `actor` to
 * `app:<origin>` (or `app:local` without an `Origin`) for the engine.
 *
 * @param options the token and the allowed origins
 * @returns the middleware
 */
export function appAuth(options: AppAuthOptions): MiddlewareHandler<BridgeEnv> {
  const allowed = new Set(options.origins);
  return async function appAuth(c, next) {
    if (c.req.method === "OPTIONS") return await next();
    const origin = c.req.header("origin");
    if (crossOrigin(c) && (origin === undefined || !allowed.has(origin))) {
      throw new HTTPException(403, {
        message: origin === undefined
          ? "Refused a cross-site request without an Origin"
          : `Refused origin "${
            origin.slice(0, 200)
          }": add it to AGENTOS_BRIDGE_ORIGINS to let it call the bridge`,
      });
    }
    const header = c.req.header("authorization") ?? "";
    const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!options.token.verify(presented)) {
      throw new HTTPException(401, {
        message: presented === undefined
          ? "This request needs the app token: send Authorization: Bearer <token> (agentos bridge token prints it; agentos bridge open opens the explorer with it)"
          : "The app token is not valid (it may have been rotated): agentos bridge token prints the current one",
      });
    }
    c.set("actor", `app:${actorName(origin ?? "local")}`);
    await next();
  };
}

/**
 * Whether a request comes from a page of another origin than the bridge's
 * own: an `Origin` that differs, or a browser's `Sec-Fetch-Site` saying
 * `cross-site` or `same-site` (another port of localhost is same-site).
 *
 * @param c the request context (the Host guard has already made sure the
 *   `Host` is a loopback name)
 * @returns true for a cross-origin request
 */
export function crossOrigin(c: Context<BridgeEnv>): boolean {
  const origin = c.req.header("origin");
  const site = c.req.header("sec-fetch-site");
  const url = new URL(c.req.url);
  const own = `${url.protocol}//${
    (c.req.header("host") ?? url.host).toLowerCase()
  }`;
  return (origin !== undefined && origin !== own) ||
    site === "cross-site" || site === "same-site";
}

function actorName(origin: string): string {
  return origin.replaceAll(/[^\w.@:/-]/g, "_").slice(0, 100);
}
