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
import { fixture, localServer } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;
const EMAIL = "ada@cookie.test";
const PASSWORD = "hunter2-correct";

function hex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** A cookie-session site: form login (303 with the session cookie), a profile that rotates it. */
function cookieSite() {
  const sessions = new Map<string, string>();
  const minted: string[] = [];
  const cookiesSeen: (string | null)[] = [];
  const mint = (email: string) => {
    const sid = `sid-${hex(16)}`;
    sessions.set(sid, email);
    minted.push(sid);
    return sid;
  };
  const sidOf = (request: Request) =>
    /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1];
  const server = localServer(async (request, url) => {
    if (url.pathname === "/login" && request.method === "POST") {
      const form = new URLSearchParams(await request.text());
      if (form.get("password") !== PASSWORD) {
        return new Response("no", { status: 403 });
      }
      const headers = new Headers({ location: "/welcome" });
      headers.append(
        "set-cookie",
        `sid=${mint(form.get("email")!)}; Path=/; Secure; HttpOnly`,
      );
      headers.append("set-cookie", "lang=en; Path=/");
      return new Response(null, { status: 303, headers });
    }
    if (url.pathname === "/welcome") {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", `csrf=csrf-${hex(8)}; Path=/`);
      headers.append(
        "set-cookie",
        `tracker=trk-${hex(8)}; Domain=cookie.test; Path=/`,
      );
      return new Response(JSON.stringify({ welcome: true }), { headers });
    }
    if (url.pathname === "/me") {
      const sid = sidOf(request);
      const email = sid ? sessions.get(sid) : undefined;
      if (!email) return new Response("expired", { status: 401 });
      sessions.delete(sid!); // rotated: the old cookie stops working
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", `sid=${mint(email)}; Path=/; Secure`);
      headers.append("set-cookie", "theme=dark; Path=/; Max-Age=3600");
      headers.append("set-cookie", "lang=; Path=/; Max-Age=0");
      return new Response(JSON.stringify({ email }), { headers });
    }
    if (url.pathname === "/echo") {
      cookiesSeen.push(request.headers.get("cookie"));
      return Response.json({ ok: true });
    }
    return new Response("not here", { status: 404 });
  });
  return { server, sessions, minted, cookiesSeen };
}

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
        [["cookie.test", EMAIL, ["sid"]]],
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
      assert.match(
        result.auth_cookies as string,
        /^sid=agentos-secret-[0-9a-f]{32}$/,
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
      assert.deepEqual(rows[0]!.fields, ["__jar__", "sid", "theme"]);
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
