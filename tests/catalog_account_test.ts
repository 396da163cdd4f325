/**
 * Account checks the way published cookie skills declare them
 * (`auth.account.check`), end to end: the check tool vouches for a stored
 * session before its first use, a session that fails is set aside and the
 * next one tried, an expired session is retried once and then fails with
 * `NeedsRelogin`, and signing in again (over a row of the skill's own, not
 * the owner's) makes the stored row usable.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";
import { cookieSite, PASSWORD } from "./cookie_site_server.ts";

type Json = Record<string, unknown>;

const ADA = "ada@cookie.test";
const BOB = "bob@cookie.test";

Deno.test("account checks: check_session before first use, re-resolve once, then NeedsRelogin", async (t) => {
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
  const bobSid = `sid-bob-${crypto.randomUUID()}`;
  site.sessions.set(bobSid, BOB);
  await client.call("secrets.set", {
    domain: "cookie.test",
    identifier: ADA,
    value: { sid: `sid-stale-${crypto.randomUUID()}` },
  });
  await client.call("secrets.set", {
    domain: "cookie.test",
    identifier: BOB,
    value: { sid: bobSid },
  });
  const profiles = () =>
    server.requests.filter((r) => r.startsWith("GET /me")).length;
  const run = (tool: string, params: Json = {}) =>
    client.call<{ result: Json }>("skills.run", {
      skill: "cookie-site",
      tool,
      params,
    });

  await t.step(
    "a stale first session is checked, set aside, and the next account used",
    async () => {
      const { result } = await run("profile");
      assert.equal(result.email, BOB);
      // ada's check (refused), bob's check, then the call itself.
      assert.equal(profiles(), 3);
    },
  );

  await t.step("a checked account is not checked again", async () => {
    const { result } = await run("profile");
    assert.equal(result.email, BOB);
    assert.equal(profiles(), 4);
  });

  await t.step(
    "an expired session is retried once, then fails with NeedsRelogin",
    async () => {
      site.sessions.clear();
      const error = await rejectsWith(
        run("profile"),
        ErrorCode.SkillFailed,
        /^NeedsRelogin: the stored session of skill "cookie-site" for "cookie\.test" \(bob@cookie\.test\) is no longer valid; sign in again with its "login" tool/,
      );
      const data = error.data as Json;
      assert.equal(data.reason, "NeedsRelogin");
      assert.equal(data.login, "login");
      assert.equal(profiles(), 5, "no account was left to retry with");
    },
  );

  await t.step(
    "signing in again over the owner's row is refused naming the command; after it, the skill's own row works and it may rewrite it",
    async () => {
      // The owner stored Bob's row: a skill never replaces it (#24).
      await rejectsWith(
        run("login", { email: BOB, password: PASSWORD }),
        ErrorCode.Forbidden,
        /that the owner stored; .*agentos secrets delete cookie\.test --identifier "bob@cookie\.test"/,
      );
      await client.call("secrets.delete", {
        domain: "cookie.test",
        identifier: BOB,
      });
      for (const attempt of [1, 2]) {
        await run("login", { email: BOB, password: PASSWORD });
        const { result } = await run("profile");
        assert.equal(result.email, BOB, `attempt ${attempt}`);
      }
    },
  );
});
