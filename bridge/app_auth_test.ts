/**
 * The bridge's access rule on its own (a Hono app with `appAuth` in front
 * of one route): a request from another origin is refused with 403 unless
 * configured, `Sec-Fetch-Site` counted; every request needs the app token;
 * OPTIONS goes through; and the actor the engine is told names the origin.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { appAuth } from "./app_auth.ts";
import { AppToken } from "./app_token.ts";
import type { BridgeEnv } from "./bridge_env.ts";

const LONG = `https://${"a".repeat(150)}.example`;
const ORIGINS = ["https://app.example", "https://odd origin!", LONG];

async function withApp(
  fn: (
    request: (
      headers: Record<string, string>,
      method?: string,
    ) => Promise<Response>,
    token: string,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-app-auth-" });
  try {
    const token = AppToken.open(`${dir}/bridge.token`);
    const app = new Hono<BridgeEnv>();
    app.use(appAuth({ token, origins: [...ORIGINS] }));
    app.all("/", (c) => c.text(String(c.get("actor"))));
    await fn(
      async (headers, method = "GET") =>
        await app.request("http://localhost:8080/", { method, headers }),
      token.current(),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("appAuth(): every request needs the token; the actor names the origin", () =>
  withApp(async (request, token) => {
    const bearer = { authorization: `Bearer ${token}` };
    const own = await request(bearer);
    assert.equal(own.status, 200);
    assert.equal(await own.text(), "app:local");
    const none = await request({});
    assert.equal(none.status, 401);
    assert.match(await none.text(), /^This request needs the app token/);
    const wrong = await request({ authorization: `Bearer ${token}x` });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /^The app token is not valid/);
    assert.equal((await request({ authorization: token })).status, 401);
    assert.equal(
      (await request({ authorization: `bearer  ${token}` })).status,
      200,
    );
    // The bridge's own origin is not cross-origin.
    const same = await request({ ...bearer, origin: "http://localhost:8080" });
    assert.equal(same.status, 200);
    assert.equal(await same.text(), "app:http://localhost:8080");
    const allowed = await request({
      ...bearer,
      origin: "https://app.example",
      "sec-fetch-site": "cross-site",
    });
    assert.equal(allowed.status, 200);
    assert.equal(await allowed.text(), "app:https://app.example");
    // The actor is the origin made safe and cut to 100 characters.
    const odd = await request({ ...bearer, origin: "https://odd origin!" });
    assert.equal(await odd.text(), "app:https://odd_origin_");
    const long = await request({ ...bearer, origin: LONG });
    assert.equal(await long.text(), `app:${LONG.slice(0, 100)}`);
    // The Host the request came to is the bridge's own origin.
    const byHost = await request({
      ...bearer,
      host: "127.0.0.1:8080",
      origin: "http://127.0.0.1:8080",
    });
    assert.equal(byHost.status, 200);
    await byHost.body?.cancel();
  }));

Deno.test("appAuth(): another origin, or a browser saying cross-site or same-site, is refused unless configured", () =>
  withApp(async (request, token) => {
    const bearer = { authorization: `Bearer ${token}` };
    const refused: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://localhost:8081" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "http://localhost:8080", "sec-fetch-site": "same-site" },
    ];
    for (const headers of refused) {
      const answer = await request({ ...bearer, ...headers });
      assert.equal(answer.status, 403, JSON.stringify(headers));
      await answer.body?.cancel();
    }
    for (const site of ["same-origin", "none"]) {
      const answer = await request({ ...bearer, "sec-fetch-site": site });
      assert.equal(answer.status, 200, site);
      await answer.body?.cancel();
    }
    // A preflight goes through to the CORS handling behind.
    const preflight = await request(
      { origin: "https://evil.example" },
      "OPTIONS",
    );
    assert.equal(preflight.status, 200);
    await preflight.body?.cancel();
  }));
