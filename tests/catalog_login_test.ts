/**
 * Login flows the way published skills run them, end to end: a keyless
 * call fails with NEEDS_CREDENTIALS (help URL and the exact command),
 * `skills list` says `missing`, `agentos secrets set --field` stores a
 * credential of several fields, a login tool reads them with
 * `credentials.retrieve`, trades them for a token and stores it through
 * `__secrets__` (`skill_secret`), and the next call's header template
 * sends that token — the sandbox only ever holding placeholders.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const EMAIL = "ada@login.test";
const PASSWORD = "correct-horse-battery-staple";
const TOKEN = `idt-${crypto.randomUUID()}`;
const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;

Deno.test("login flows: NEEDS_CREDENTIALS, credentials.retrieve, __secrets__ and the token template", async (t) => {
  const seen: Json[] = [];
  await using server = localServer(async (request, url) => {
    if (url.pathname === "/auth") {
      const body = await request.json();
      seen.push({ auth: body });
      return body.email === EMAIL && body.password === PASSWORD
        ? Response.json({ idToken: TOKEN })
        : new Response("no", { status: 401 });
    }
    if (url.pathname === "/me") {
      const header = request.headers.get("authorization");
      seen.push({ me: header });
      return header === `Token ${TOKEN}`
        ? Response.json({ email: EMAIL, echo: header })
        : new Response("{}", { status: 401 });
    }
    return new Response("no", { status: 404 });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://portal.login.test": server.origin,
        "https://api.hdr.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  const cli = (args: string[], stdin?: string) =>
    runAgentos(engine.paths.home, args, stdin);
  for (const name of ["login-api", "hdr-api"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  const run = (skill: string, tool: string, params: Json = {}) =>
    client.call<{ result: Json; secrets?: Json[] }>("skills.run", {
      skill,
      tool,
      params,
    });

  await t.step(
    "a keyless call fails with NEEDS_CREDENTIALS, the help URL and the command",
    async () => {
      const error = await rejectsWith(
        run("hdr-api", "search"),
        ErrorCode.Forbidden,
        /^NEEDS_CREDENTIALS: tool "search" of skill "hdr-api" needs a credential for connection "api" \(Header API key\); get one at https:\/\/hdr\.test\/keys and store it with: agentos secrets set hdr\.test; or, if one is stored for another skill, allow this one to use it: agentos skills allow hdr-api --credential hdr\.test$/,
      );
      const data = error.data as Json;
      assert.equal(data.reason, "NEEDS_CREDENTIALS");
      assert.equal(data.help_url, "https://hdr.test/keys");
      assert.equal(data.command, "agentos secrets set hdr.test");
      assert.equal(seen.length, 0, "nothing was sent");
    },
  );

  await t.step(
    "skills list says missing, then where the credential was found",
    async () => {
      const before = await cli(["skills", "list"]);
      assert.equal(before.code, 0, before.stderr);
      assert.match(
        before.stdout,
        /hdr-api .*api: missing \(agentos secrets set hdr\.test\)/,
      );
      const stored = await cli(["secrets", "set", "hdr.test"], "k-123456789\n");
      assert.equal(stored.code, 0, stored.stderr);
      const after = await cli(["skills", "list"]);
      assert.match(after.stdout, /hdr-api .*api: hdr\.test/);
    },
  );

  await t.step(
    "secrets set --field stores several fields from stdin, never from argv",
    async () => {
      const refused = await cli(
        ["secrets", "set", "login.test", "--field", "password=hunter2"],
        "x\n",
      );
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /--field takes a field name, not a value/);
      assert.doesNotMatch(refused.stderr, /hunter2/);
      const short = await cli(
        [
          "secrets",
          "set",
          "login.test",
          "--field",
          "email",
          "--field",
          "password",
        ],
        `${EMAIL}\n`,
      );
      assert.notEqual(short.code, 0);
      assert.match(short.stderr, /Expected 2 lines on stdin/);
      const ok = await cli(
        [
          "secrets",
          "set",
          "login.test",
          "--identifier",
          EMAIL,
          "--field",
          "email",
          "--field",
          "password",
        ],
        `${EMAIL}\n${PASSWORD}\n`,
      );
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /Stored email, password for login\.test/);
      const { secrets } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      const row = secrets.find((s) => s.domain === "login.test")!;
      assert.deepEqual(row.fields, ["email", "password"]);
    },
  );

  await t.step(
    "credentials.retrieve refuses another site's domain",
    async () => {
      await rejectsWith(
        run("login-api", "login", { domain: "bank.example" }),
        ErrorCode.SkillFailed,
        /may retrieve credentials only for its own connections' domains/,
      );
    },
  );

  await t.step(
    "the login tool signs in with retrieved placeholders and stores the token",
    async () => {
      const { result, secrets } = await run("login-api", "login");
      assert.deepEqual(seen.at(-1), {
        auth: { email: EMAIL, password: PASSWORD },
      });
      assert.equal(result.status, "signed in");
      assert.match(result.email as string, PLACEHOLDER);
      assert.equal(secrets?.length, 1);
      assert.equal(secrets![0]!.stored, true);
      assert.deepEqual(Object.keys(secrets![0]!.preview as Json).sort(), [
        "email",
        "idToken",
        "password",
      ]);
      assert.ok(!JSON.stringify(secrets).includes(TOKEN));
      assert.ok(!JSON.stringify(secrets).includes(PASSWORD));
      assert.equal(secrets![0]!.domain, "portal.login.test");
      // A value revealed from a placeholder shows no piece of itself.
      const preview = secrets![0]!.preview as Json;
      assert.equal(preview.password, "••••");
      assert.equal(preview.idToken, `••••${TOKEN.slice(-4)}`);
      assert.equal(secrets![0]!.identifier, EMAIL);
    },
  );

  await t.step(
    "rows show who wrote them; a skill may not replace the owner's row",
    async () => {
      const list = await cli(["secrets", "list"]);
      assert.equal(list.code, 0, list.stderr);
      assert.match(
        list.stdout,
        /^login\.test\s+ada@login\.test\s+email,password\s+owner\s/m,
      );
      assert.match(
        list.stdout,
        /^portal\.login\.test\s+ada@login\.test\s+email,idToken,password\s+skill login-api\s/m,
      );
      await rejectsWith(
        run("login-api", "login_over"),
        ErrorCode.Forbidden,
        // The account is also a stored field (email), so errors redact it.
        /tried to replace the credential for "login\.test" \(\[secret\]\) that the owner stored; .*agentos secrets delete login\.test --identifier /,
      );
      const again = await run("login-api", "login");
      assert.equal(
        again.secrets![0]!.stored,
        true,
        "its own row it may refresh",
      );
    },
  );

  await t.step(
    "the next call's header template sends the stored token",
    async () => {
      const { result } = await run("login-api", "me");
      assert.equal(seen.at(-1)!.me, `Token ${TOKEN}`);
      assert.equal(result.status, 200);
      const auth = result.auth as Json;
      assert.deepEqual(Object.keys(auth).sort(), [
        "email",
        "idToken",
        "password",
      ]);
      for (const value of Object.values(auth)) {
        assert.match(value as string, PLACEHOLDER);
      }
      assert.ok(!JSON.stringify(result).includes(TOKEN));
    },
  );
});
