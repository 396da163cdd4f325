import { Hono } from "hono";
import type { BridgeEnv } from "./bridge_env.ts";
import { LIBRARY_PREFIX, libraryModules } from "./graph_library.ts";

/** The files served as they are, by route: file in `static/`, content type. */
const FILES: Record<string, [string, string]> = {
  "/": ["explorer.html", "text/html; charset=UTF-8"],
  "/explorer.js": ["explorer.js", "text/javascript; charset=UTF-8"],
  "/explorer.css": ["explorer.css", "text/css; charset=UTF-8"],
  "/graph_view.js": ["graph_view.js", "text/javascript; charset=UTF-8"],
  "/sdk.js": ["sdk.js", "text/javascript; charset=UTF-8"],
  "/sdk.d.ts": ["sdk.d.ts", "application/typescript; charset=UTF-8"],
};

/**
 * The graph explorer page and the app SDK: plain files, no build step, read
 * once when the app is made (the bridge may read `./bridge`).
 *
 * * `GET /` — the explorer (`/explorer.js`, `/explorer.css`)
 * * `GET /sdk.js` — the app SDK, an ES module; its types at `/sdk.d.ts`
 * * `GET /lib/d3-force.js` (and the d3 modules it imports) — the explorer's
 *   graph layout, from the pinned npm packages
 *
 * @returns the router
 */
export function staticRoutes(): Hono<BridgeEnv> {
  const app = new Hono<BridgeEnv>();
  for (const [path, [file, type]] of Object.entries(FILES)) {
    const body = Deno.readTextFileSync(
      new URL(`./static/${file}`, import.meta.url),
    );
    const headers: Record<string, string> = {
      "Content-Type": type,
      "Cache-Control": "no-cache",
    };
    // Deno and bundlers that honour it pick the SDK's types from here.
    if (file === "sdk.js") headers["X-TypeScript-Types"] = "./sdk.d.ts";
    app.get(path, (c) => c.body(body, 200, headers));
  }
  for (const [file, body] of libraryModules()) {
    app.get(`${LIBRARY_PREFIX}${file}`, (c) =>
      c.body(body, 200, {
        "Content-Type": "text/javascript; charset=UTF-8",
        // Pinned by deno.lock: it changes only with a new bridge.
        "Cache-Control": "max-age=86400",
      }));
  }
  return app;
}
