import type { MiddlewareHandler } from "hono";
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

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The bridge's access rule, for API routes:
 *
 * * a request from another origin (an `Origin` that is not the bridge's own,
 *   or `Sec-Fetch-Site: cross-site`/`same-site`) is refused with 403 unless
 *   its origin is configured, and needs the app token;
 * * every mutation and capability invocation (any method but GET, HEAD and
 *   OPTIONS) needs the app token, whoever sends it;
 * * same-origin and non-browser reads need nothing: the explorer page reads
 *   with no token, and a local process could read the database anyway.
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
    const site = c.req.header("sec-fetch-site");
    // The bridge's own origin as the browser sees it (the Host guard has
    // already made sure it is a loopback name).
    const url = new URL(c.req.url);
    const own = `${url.protocol}//${
      (c.req.header("host") ?? url.host).toLowerCase()
    }`;
    const crossOrigin = (origin !== undefined && origin !== own) ||
      site === "cross-site" || site === "same-site";
    if (crossOrigin && (origin === undefined || !allowed.has(origin))) {
      throw new HTTPException(403, {
        message: origin === undefined
          ? "Refused a cross-site request without an Origin"
          : `Refused origin "${
            origin.slice(0, 200)
          }": add it to AGENTOS_BRIDGE_ORIGINS to let it call the bridge`,
      });
    }
    if (crossOrigin || !SAFE_METHODS.has(c.req.method)) {
      const header = c.req.header("authorization") ?? "";
      const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!options.token.verify(presented)) {
        throw new HTTPException(401, {
          message: presented === undefined
            ? "This request needs the app token: send Authorization: Bearer <token> (agentos bridge token prints it)"
            : "The app token is not valid (it may have been rotated): agentos bridge token prints the current one",
        });
      }
    }
    c.set("actor", `app:${actorName(origin ?? "local")}`);
    await next();
  };
}

function actorName(origin: string): string {
  return origin.replaceAll(/[^\w.@:/-]/g, "_").slice(0, 100);
}
