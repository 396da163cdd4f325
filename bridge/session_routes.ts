import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { crossOrigin } from "./app_auth.ts";
import type { AppToken } from "./app_token.ts";
import type { BridgeEnv } from "./bridge_env.ts";
import { readJsonObject } from "./json_body.ts";
import { OpenCodes } from "./open_code.ts";

/**
 * `/session`: how the explorer page gets the app token without the owner
 * pasting it. `agentos bridge open` prints `http://127.0.0.1:3456/?open=<code>`;
 * the page sends the code here and keeps the token for the tab.
 *
 * * `POST /session` `{code}` — `{token}` for a valid one-time code from this
 *   origin; 401 for a code that is invalid, expired or already used; 403
 *   from another origin
 *
 * @param token the app token (it also keys the codes)
 * @returns the router
 */
export function sessionRoutes(token: AppToken): Hono<BridgeEnv> {
  const codes = new OpenCodes();
  return new Hono<BridgeEnv>()
    .post("/", async (c) => {
      if (crossOrigin(c)) {
        throw new HTTPException(403, {
          message: "The app token is handed only to the bridge's own page",
        });
      }
      const { code } = await readJsonObject(c);
      const current = token.current();
      const refused = await codes.redeem(code, current);
      if (refused !== undefined) {
        throw new HTTPException(401, {
          message:
            `Refused the open code: ${refused}; run agentos bridge open for a new link`,
        });
      }
      return c.json({ token: current }, 200, { "Cache-Control": "no-store" });
    });
}
