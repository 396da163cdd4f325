import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { crossOrigin } from "./app_auth.ts";
import type { BridgeEnv, BridgeServices } from "./bridge_env.ts";
import { readJsonObject } from "./json_body.ts";

/** The page's files, read once: route → file in `static/`, content type. */
const FILES: Record<string, [string, string]> = {
  "/credential": ["credential.html", "text/html; charset=UTF-8"],
  "/credential.js": ["credential.js", "text/javascript; charset=UTF-8"],
};

/** Headers of the page and its answers: never cached, never a referrer. */
const PRIVATE = {
  "Cache-Control": "no-store",
  "Referrer-Policy": "no-referrer",
};

/**
 * The credential page of a one-time link (MCP URL elicitation): the owner
 * opens `/credential#<token>` (the token in the fragment never reaches a
 * request line or a log), types the key, and it goes to the engine's vault.
 * The link's token is the page's only authority, so the API takes it in the
 * body, from the bridge's own origin only.
 *
 * * `GET /credential`, `GET /credential.js` — the page
 * * `POST /credential/describe` `{token}` — `{skill, domain, fields, expiresAt}`
 * * `POST /credential/submit` `{token, values}` — stores, uses the link up
 *
 * @param services the engine link
 * @returns the router
 */
export function credentialRoutes(services: BridgeServices): Hono<BridgeEnv> {
  const app = new Hono<BridgeEnv>();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const body = Deno.readTextFileSync(
      new URL(`./static/${file}`, import.meta.url),
    );
    app.get(
      path,
      (c) => c.body(body, 200, { "Content-Type": type, ...PRIVATE }),
    );
  }
  app.post("/credential/describe", async (c) => {
    const { token } = await linkBody(c);
    const view = await services.engine.call("credentials.link_describe", {
      token,
    });
    return c.json(view as Record<string, unknown>, 200, PRIVATE);
  });
  app.post("/credential/submit", async (c) => {
    const { token, values } = await linkBody(c);
    const view = await services.engine.call("credentials.link_submit", {
      token,
      values,
    });
    return c.json(view as Record<string, unknown>, 200, PRIVATE);
  });
  return app;
}

/** The JSON body of a page request, from this origin, with a token. */
async function linkBody(
  c: Parameters<typeof crossOrigin>[0],
): Promise<Record<string, unknown>> {
  if (crossOrigin(c)) {
    throw new HTTPException(403, {
      message: "A credential link is answered only by the bridge's own page",
    });
  }
  const body = await readJsonObject(c);
  if (typeof body.token !== "string" || body.token === "") {
    throw new HTTPException(400, {
      message:
        "This request needs the link's token; open the link the AI client showed you",
    });
  }
  return body;
}
