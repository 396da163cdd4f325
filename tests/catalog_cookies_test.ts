/**
 * Cookie sessions the way published skills use them, end to end: a login
 * tool whose session cookie reaches the vault through `__secrets__`, a
 * per-call jar seeded from the vault and fed by every `Set-Cookie`
 * (redirects' too), changes written back by (domain, path, name), the
 * per-request `cookies=`, `skip_cookies=`, `incognito=True` and `api`
 * client rules, and no real cookie value ever inside the sandbox, in a
 * log or in the audit trail.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";
import { cookieSite, EMAIL, PASSWORD } from "./cookie_site_server.ts";

type Json = Record<string, unknown>;

const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;

Deno.test("cookie sessions: login stores the cookie, the jar carries and rotates it, the sandbox sees placeholders", async (t) => {
  const site = cookieSite();
  await using server = site.server;
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://www.cookie.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("cookie-site") });
  const results: unknown[] = [];
  const run = async (tool: string, params: Json = {}) => {
    const out = await client.call<{ result: Json; secrets?: Json[] }>(
      "skills.run",
      { skill: "cookie-site", tool, params },
    );
    results.push(out);
    return out;
  };

  // An API key under the same domain (as exa.ai holds both): the cookie
  // session must not take it for its cookies.
  await client.call("secrets.set", {
    domain: "cookie.test",
    value: "an-api-key-0123456789",
  });

  await t.step(
    "a login tool's __secrets__ row is stored; the caller sees a masked preview",
    async () => {
      const { result, secrets } = await run("login", {
        email: EMAIL,
        password: PASSWORD,
      });
      assert.equal(result.status, "signed in");
      // The session cookie came on the 303; the skill read it from the jar as a placeholder.
      assert.match(result.sid as string, PLACEHOLDER);
      // Both Set-Cookie headers of the final response reach the skill, joined.
      assert.match(
        result.set_cookie as string,
        /csrf=agentos-secret-[0-9a-f]{32}/,
      );
      assert.match(result.set_cookie as string, /tracker=agentos-secret-/);
      assert.equal(secrets?.length, 1);
      assert.deepEqual(
        { ...secrets![0], preview: undefined },
        {
          domain: "cookie.test",
          identifier: EMAIL,
          item_type: "cookie",
          stored: true,
          preview: undefined,
        },
      );
      assert.match((secrets![0]!.preview as Json).sid as string, /^••••/);
      const { secrets: rows } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.deepEqual(
        rows.map((r) => [r.domain, r.identifier, r.fields]),
        [["cookie.test", "", ["value"]], ["cookie.test", EMAIL, ["sid"]]],
      );
    },
  );

  await t.step(
    "the next call is seeded from the vault and sends the real session cookie",
    async () => {
      const loginSid = site.minted.at(-1)!;
      const { result } = await run("profile");
      assert.equal(result.email, EMAIL);
      assert.ok(!site.sessions.has(loginSid), "the site saw the stored sid");
      // The account check ran first (check_session) and its rotation was written back.
      assert.match(
        result.auth_cookies as string,
        /^sid=agentos-secret-[0-9a-f]{32}; theme=dark$/,
      );
      assert.match(result.sid as string, PLACEHOLDER);
      assert.deepEqual(result.names, ["sid", "theme"]);
    },
  );

  await t.step(
    "the call's cookie changes were written back: the rotated cookie works next time",
    async () => {
      const { result } = await run("profile");
      assert.equal(result.email, EMAIL);
      const { secrets: rows } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.deepEqual(rows.map((r) => r.fields), [
        ["value"],
        ["__jar__", "sid", "theme"],
      ]);
    },
  );

  await t.step(
    "cookies=, skip_cookies=, incognito and an api client change what one request carries",
    async () => {
      const sid = site.minted.at(-1)!;
      await run("echo", { mode: "jar" });
      assert.equal(site.cookiesSeen.at(-1), `sid=${sid}; theme=dark`);
      await run("echo", { mode: "skip" });
      assert.equal(site.cookiesSeen.at(-1), "theme=dark");
      await run("echo", { mode: "cookies" });
      assert.equal(site.cookiesSeen.at(-1), "sid=given-by-caller-123");
      await run("echo", { mode: "incognito" });
      assert.equal(site.cookiesSeen.at(-1), null);
      await run("echo", { mode: "api" });
      assert.equal(site.cookiesSeen.at(-1), null);
    },
  );

  await t.step(
    "no real cookie value reached the sandbox, a log or the audit trail",
    async () => {
      const text = JSON.stringify(results) +
        await Deno.readTextFile(engine.paths.ioLog) +
        await Deno.readTextFile(engine.paths.engineLog);
      for (const sid of site.minted) {
        assert.ok(!text.includes(sid), `found ${sid}`);
      }
    },
  );
});
