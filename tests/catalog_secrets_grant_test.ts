/**
 * Skills that transform their key, end to end: while masked, a request
 * carrying a cut or encoded placeholder, or a signed request the key's
 * domain refuses, fails the call (even if the skill catches the error)
 * with a message naming `agentos skills allow <skill> --secrets`; `skills
 * list` shows who has that grant; with it, signing, Basic auth, split keys
 * and logo URLs work unchanged.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import {
  fixture,
  hmacHex,
  localServer,
  rejectsWith,
} from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const KEY = "sign-live-KEY-0f4e2a9b7c";
const SPLIT = "pk1_grant1234:sk1_grant5678";
const LOGO = "pk_logo_live_77e1c0";

Deno.test("transformed keys: refused while masked with the grant command, working with the grant", async (t) => {
  const seen: Json[] = [];
  await using server = localServer(async (request, url) => {
    if (url.pathname === "/balance") {
      const ok = request.headers.get("x-signature") ===
        await hmacHex(KEY, "/balance");
      seen.push({ balance: ok });
      return new Response(ok ? "{}" : "bad signature", {
        status: ok ? 200 : 401,
      });
    }
    if (url.pathname === "/basic") {
      const header = request.headers.get("authorization");
      seen.push({ basic: header });
      const ok = header === `Basic ${btoa(`me:${KEY}`)}`;
      return new Response("{}", { status: ok ? 200 : 401 });
    }
    if (url.pathname === "/v3/ping") {
      seen.push({ body: await request.json() });
      return Response.json({ status: "SUCCESS" });
    }
    return new Response("no", { status: 404 });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.sign.test": server.origin,
        "https://api.split.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  const cli = (args: string[]) => runAgentos(engine.paths.home, args);
  for (const name of ["sign-api", "split-api", "logo-api"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  await client.call("secrets.set", { domain: "sign.test", value: KEY });
  await client.call("secrets.set", { domain: "split.test", value: SPLIT });
  await client.call("secrets.set", { skill: "logo-api", value: LOGO });
  const run = (skill: string, tool: string) =>
    client.call<{ result: Json }>("skills.run", { skill, tool, params: {} });
  const grantMessage = (skill: string) =>
    new RegExp(
      `Skill "${skill}" .*If you trust it with the real value, run: agentos skills allow ${skill} --secrets`,
    );

  await t.step(
    "a signature made with a placeholder: the refusal names the grant",
    async () => {
      await rejectsWith(
        run("sign-api", "balance"),
        ErrorCode.SkillFailed,
        grantMessage("sign-api"),
      );
      assert.deepEqual(seen.at(-1), { balance: false });
    },
  );

  await t.step(
    "an encoded placeholder never leaves, and catching the error does not save the call",
    async () => {
      const before = seen.length;
      const error = await rejectsWith(
        run("sign-api", "basic"),
        ErrorCode.Forbidden,
        grantMessage("sign-api"),
      );
      assert.equal(
        (error.data as Json).command,
        "agentos skills allow sign-api --secrets",
      );
      assert.equal(seen.length, before, "the request was not sent");
    },
  );

  await t.step("skills list shows who has real values", async () => {
    const masked = await cli(["skills", "list"]);
    assert.match(masked.stdout, /^sign-api\s.*\smasked\s/m);
    for (const skill of ["sign-api", "split-api", "logo-api"]) {
      const granted = await cli(["skills", "allow", skill, "--secrets"]);
      assert.equal(granted.code, 0, granted.stderr);
      assert.match(granted.stdout, /now receives real credential values/);
    }
    const list = await cli(["skills", "list"]);
    assert.match(list.stdout, /^sign-api\s.*\sreal values \(granted\)\s/m);
    assert.match(list.stdout, /^logo-api\s.*\sreal values \(granted\)\s/m);
  });

  await t.step(
    "with the grant, signing and Basic auth work unchanged",
    async () => {
      assert.equal((await run("sign-api", "balance")).result.status, 200);
      assert.deepEqual(seen.at(-1), { balance: true });
      assert.equal((await run("sign-api", "basic")).result.status, 200);
    },
  );

  await t.step(
    "with the grant, a split key and a logo URL work unchanged",
    async () => {
      const { result } = await run("split-api", "ping");
      assert.deepEqual(seen.at(-1), {
        body: { apikey: "pk1_grant1234", secretapikey: "sk1_grant5678" },
      });
      assert.deepEqual(result.halves, ["pk1_grant1234", "sk1_grant5678"]);
      const logo = await run("logo-api", "logo_url");
      assert.equal(
        logo.result.url,
        `https://img.logo.test/example.com?token=${LOGO}&size=128`,
      );
    },
  );

  await t.step("disallow takes real values back", async () => {
    const back = await cli(["skills", "disallow", "logo-api", "--secrets"]);
    assert.equal(back.code, 0, back.stderr);
    const logo = await run("logo-api", "logo_url");
    assert.match(
      logo.result.url as string,
      /token=agentos-secret-[0-9a-f]{32}&/,
    );
  });
});
