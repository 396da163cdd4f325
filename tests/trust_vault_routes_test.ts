/**
 * Issue #24, routes 2, 3, 4, 5 and 7, attacked by hostile skills through a
 * real engine, real sandboxed workers and a recording 127.0.0.1 server:
 * re-filing a key under a public suffix, a placeholder written as a vault
 * row's identifier, replacing (or shadowing) the owner's row, real values
 * without the owner's `--secrets` grant, and keychain items neither
 * declared nor granted. Each step plants a random value and searches
 * everything the skills returned, every request the server received,
 * `engine.log` and the database for it (raw, reversed, upper case).
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const KEY = `own-${crypto.randomUUID()}`;
const ATTACKER = `atk-${crypto.randomUUID()}`;
const KEYCHAIN_UNDECLARED = `kc-undeclared-${crypto.randomUUID()}`;
const KEYCHAIN_DECLARED = `kc-declared-${crypto.randomUUID()}`;
const KEYCHAIN_ACCOUNT = `kc-account-${crypto.randomUUID()}`;
const HOSTS = [
  "keyed.test",
  "api.keyed.test",
  "collect.evil.test",
  "drop.evil.test",
];
const SKILLS = [
  "keyed-api",
  "vault-refiler",
  "suffix-user",
  "id-revealer",
  "key-swapper",
  "declared-only",
  "keychain-thief",
  "keychain-planter",
];

/** Each form of a value a skill could decode from what it collected. */
function forms(value: string): string[] {
  return [value, [...value].reverse().join(""), value.toUpperCase()];
}

/** The forms of `value` found in a text. */
function leaks(text: string, value: string): string[] {
  return forms(value).filter((form) => text.includes(form));
}

Deno.test("vault routes: no re-filing, no identifier reveal, no replacing, the grant is the rule, keychain by grant", async (t) => {
  const received: string[] = [];
  await using server = localServer(async (request, url) => {
    const headers = [...request.headers].map(([k, v]) => `${k}: ${v}`);
    received.push(
      `${url.host} ${url.pathname}${url.search}\n${
        headers.join("\n")
      }\n${await request
        .text()}`,
    );
    return Response.json({ ok: true });
  });
  const origins = Object.fromEntries(
    HOSTS.map((host) => [`https://${host}`, server.origin]),
  );
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify(origins),
    },
  });
  const client = await engine.client();
  const cli = (args: string[], stdin?: string) =>
    runAgentos(engine.paths.home, args, stdin);
  for (const name of SKILLS) {
    await client.call("skills.add", { path: fixture(name) });
  }
  const stored = await cli(["secrets", "set", "keyed.test"], `${KEY}\n`);
  assert.equal(stored.code, 0, stored.stderr);
  const returned: string[] = [];
  const run = async (skill: string, tool: string, params: Json = {}) => {
    const answer = await client.call<Json>("skills.run", {
      skill,
      tool,
      params,
    });
    returned.push(JSON.stringify(answer));
    return answer as { result: Json; secrets?: Json[] };
  };
  const drops = () => received.filter((r) => / \/drop\?/.test(r));

  await t.step(
    "route 2: a key re-filed under the bare suffix `test` is refused, and a skill whose connection names `test` gets nothing",
    async () => {
      const { secrets } = await run("vault-refiler", "refile");
      const before = received.length;
      const { result } = await run("suffix-user", "collect");
      assert.equal(result.status, 200);
      const sent = received.slice(before).join("\n");
      assert.deepEqual(leaks(sent, KEY), [], "the collector got the key");
      for (const row of secrets!) {
        assert.equal(row.stored, false, JSON.stringify(row));
      }
      assert.match(
        String(secrets![0]!.reason),
        /"test" is a public suffix/,
      );
      const { secrets: rows } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.deepEqual(rows.map((r) => r.domain), ["keyed.test"]);
    },
  );

  await t.step(
    "route 2b: a connection naming the keychain row or a public suffix as its domain writes nothing there",
    async () => {
      const { secrets } = await run("keychain-planter", "plant");
      assert.equal(secrets!.length, 2);
      for (const row of secrets!) {
        assert.equal(row.stored, false, JSON.stringify(row));
      }
      // Its own refusal, not only the public-suffix rule under it.
      assert.match(
        String(secrets![0]!.reason),
        /holds the owner.s keychain items/,
      );
      assert.match(String(secrets![1]!.reason), /"com" is a public suffix/);
      const { secrets: rows } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.ok(
        !rows.some((r) => r.domain === "keychain" || r.domain === "com"),
        JSON.stringify(rows),
      );
    },
  );

  await t.step(
    "route 3: a placeholder written as a row's identifier is refused, never substituted",
    async () => {
      const planted = await run("id-revealer", "plant");
      for (const row of planted.secrets!) {
        assert.equal(row.stored, false, JSON.stringify(row));
        assert.equal(row.identifier, "[refused]");
        assert.match(String(row.reason), /identifier carries a credential/);
      }
      await run("id-revealer", "read_back");
      const { secrets: rows } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.deepEqual(leaks(JSON.stringify(rows), KEY), []);
      assert.ok(!JSON.stringify(rows).includes("agentos-secret-"));
    },
  );

  await t.step(
    "route 5: a skill may not replace the owner's row (the call fails naming the owner's command), nor shadow it",
    async () => {
      await rejectsWith(
        run("key-swapper", "swap", { key: ATTACKER }),
        ErrorCode.Forbidden,
        /tried to replace the credential for "keyed\.test" that the owner stored; a skill replaces only rows it wrote itself, so nothing was stored\. .*agentos secrets delete keyed\.test$/,
      );
      // A row of its own (another account, or a more specific domain) it
      // may write and rewrite, but no other skill acts with it.
      for (const attempt of [1, 2]) {
        const own = await run("key-swapper", "swap", {
          key: `${ATTACKER}-${attempt}`,
          identifier: "swapper-own",
        });
        assert.equal(own.secrets![0]!.stored, true, `attempt ${attempt}`);
      }
      // keyed-api looks in api.keyed.test before keyed.test.
      const shadow = await run("key-swapper", "swap", {
        key: ATTACKER,
        domain: "api.keyed.test",
      });
      assert.equal(shadow.secrets![0]!.stored, true);
      const before = received.length;
      await run("keyed-api", "search", { q: "tea" });
      const sent = received.slice(before).join("\n");
      assert.ok(sent.includes(KEY), "the owner's key still reaches its API");
      assert.deepEqual(leaks(sent, ATTACKER), []);
      const list = await cli(["secrets", "list"]);
      assert.match(list.stdout, /^keyed\.test\s+key\s+owner\s/m);
      assert.match(
        list.stdout,
        /^keyed\.test\s+swapper-own\s+key\s+skill key-swapper\s/m,
      );
    },
  );

  await t.step(
    "route 7: declaring secrets alone gives placeholders; secrets.read names the grant",
    async () => {
      // The owner's key, whatever an earlier step did to the row.
      await client.call("secrets.set", {
        domain: "keyed.test",
        value: { key: KEY },
      });
      const before = received.length;
      const { result } = await run("declared-only", "exfil");
      const sent = received.slice(before).join("\n");
      assert.deepEqual(leaks(sent, KEY), [], "drop.evil.test got the key");
      assert.match(
        String((result.errors as string[])[0]),
        /agentos skills allow declared-only --secrets/,
      );
      const list = await cli(["skills", "list"]);
      assert.match(
        list.stdout,
        /^declared-only\s.*\smasked \(declares secrets, not granted\)\s/m,
      );
    },
  );

  await t.step(
    "route 4: keychain.read only for a declared item the owner granted by name",
    async () => {
      for (
        const [item, value] of [
          ["Browser Safe Storage", KEYCHAIN_UNDECLARED],
          ["Declared Item", KEYCHAIN_DECLARED],
        ]
      ) {
        await client.call("secrets.set", {
          domain: "keychain",
          identifier: item,
          value,
        });
      }
      // Trusted with its own real values, still not with the keychain.
      await client.call("skills.allow", {
        skill: "keychain-thief",
        secrets: true,
      });
      const undeclared = await run("keychain-thief", "steal", {
        service: "Browser Safe Storage",
      });
      const ungranted = await run("keychain-thief", "steal", {
        service: "Declared Item",
      });
      const dropped = drops().join("\n");
      assert.deepEqual(leaks(dropped, KEYCHAIN_UNDECLARED), []);
      assert.deepEqual(leaks(dropped, KEYCHAIN_DECLARED), []);
      assert.match(
        String(undeclared.result.error),
        /does not declare it/,
      );
      assert.match(
        String(ungranted.result.error),
        /agentos skills allow keychain-thief --keychain "Declared Item"/,
      );
      const refused = await cli([
        "skills",
        "allow",
        "keychain-thief",
        "--keychain",
        "Browser Safe Storage",
      ]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /does not declare the keychain item/);
      const granted = await cli([
        "skills",
        "allow",
        "keychain-thief",
        "--keychain",
        "Declared Item",
      ]);
      assert.equal(granted.code, 0, granted.stderr);
      const list = await cli(["skills", "list"]);
      assert.match(list.stdout, /keychain-thief\s.*keychain "Declared Item"/);
      const read = await run("keychain-thief", "steal", {
        service: "Declared Item",
      });
      assert.equal(read.result.error, "", "granted: the owner's choice");
      // An item stored for one account is that account's, ahead of the
      // service's own row.
      await client.call("secrets.set", {
        domain: "keychain",
        identifier: "Declared Item/work",
        value: KEYCHAIN_ACCOUNT,
      });
      const forAccount = await run("keychain-thief", "steal", {
        service: "Declared Item",
        account: "work",
      });
      assert.equal(forAccount.result.error, "");
      assert.equal(
        forAccount.result.sent,
        [...KEYCHAIN_ACCOUNT].reverse().join(""),
      );
    },
  );

  await t.step(
    "nothing the skills returned, no engine.log line and no database page holds the key",
    async () => {
      assert.deepEqual(leaks(returned.join("\n"), KEY), []);
      const log = await Deno.readTextFile(engine.paths.engineLog);
      assert.deepEqual(leaks(log, KEY), []);
      for (const suffix of ["", "-wal"]) {
        const bytes = await Deno.readFile(`${engine.paths.database}${suffix}`)
          .catch(() => new Uint8Array());
        const text = new TextDecoder("latin1").decode(bytes);
        assert.deepEqual(leaks(text, KEY), [], `database${suffix}`);
      }
    },
  );
});
