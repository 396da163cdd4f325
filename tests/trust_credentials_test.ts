/**
 * Credentials end to end: the vault wired into a real engine, masked
 * `params["auth"]` for a published-style skill (placeholders substituted
 * only for the credential's own domain), real values and `secrets.read`
 * for a skill that declares `secrets` and was granted them, and a planted secret found nowhere
 * on disk afterwards — not in the database, its WAL, any log, the audit
 * trail or the skill snapshots.
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

const SECRET = "sk-live-PLANTED-9f2c7d41e8b3a6";
const PLACEHOLDER = /^agentos-secret-[0-9a-f]{32}$/;

/** Every regular file under a directory, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await filesUnder(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
}

Deno.test("credentials: masked by default, real only when granted, and never on disk in plaintext", async (t) => {
  const seen: Json[] = [];
  await using server = localServer(async (request, url) => {
    const header = request.headers.get("x-api-key");
    if (url.pathname === "/v1/search") {
      seen.push({ header, query: url.searchParams.get("api_key") });
      return Response.json({ echoed: header });
    }
    if (url.pathname === "/v1/notes") {
      const body = await request.json();
      seen.push({ body: body.key });
      return Response.json([1, 2].map((n) => ({
        title: `Note ${n}`,
        text: `the server saw ${body.key}`,
        url: `https://api.keyed.test/notes/${n}`,
      })));
    }
    if (url.pathname === "/v1/signed") {
      const body = await request.json();
      const valid = request.headers.get("x-signature") ===
        await hmacHex(SECRET, body.message);
      return new Response(null, { status: valid ? 204 : 401 });
    }
    return new Response("no", { status: 404 });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.keyed.test": server.origin,
      }),
    },
  });
  const client = await engine.client();
  const cli = (args: string[], stdin?: string) =>
    runAgentos(engine.paths.home, args, stdin);
  for (const name of ["keyed-api", "secret-user"]) {
    await client.call("skills.add", { path: fixture(name) });
  }
  // Declaring secrets asks; the owner's grant gives (issue #24, route 7).
  await client.call("skills.allow", { skill: "secret-user", secrets: true });

  await t.step(
    "agentos secrets set stores a value read from stdin",
    async () => {
      const run = await cli(["secrets", "set", "keyed.test"], `${SECRET}\n`);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Stored key for keyed\.test/);
      const { secrets } = await client.call<{ secrets: Json[] }>(
        "secrets.list",
      );
      assert.equal(secrets.length, 1);
      assert.equal(secrets[0]!.domain, "keyed.test");
      assert.deepEqual(secrets[0]!.fields, ["key"]);
      assert.ok(!JSON.stringify(secrets).includes(SECRET));
    },
  );

  await t.step(
    "a published-style skill sends params.auth.key unchanged and the real key arrives",
    async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "keyed-api",
        tool: "search",
        params: { q: "tea" },
      });
      assert.deepEqual(seen.at(-1), { header: SECRET, query: SECRET });
      assert.equal(result.status, 200);
      const key = (result.auth as Json).key as string;
      assert.match(key, PLACEHOLDER);
      // The server echoed the key: the skill sees its placeholder instead.
      assert.deepEqual(JSON.parse(result.body as string), { echoed: key });
      const notes = await client.call<{ records: { created: number } }>(
        "skills.run",
        { skill: "keyed-api", tool: "notes" },
      );
      assert.equal(seen.at(-1)!.body, SECRET);
      assert.equal(notes.records.created, 2);
    },
  );

  await t.step(
    "skills list shows masked and real-value skills and where each credential is",
    async () => {
      const { skills } = await client.call<{ skills: Json[] }>("skills.list");
      const byId = Object.fromEntries(skills.map((s) => [s.id, s]));
      assert.equal(byId["keyed-api"]!.secrets, "masked");
      assert.equal(byId["secret-user"]!.secrets, "real values (granted)");
      assert.deepEqual(byId["keyed-api"]!.credentials, [{
        connection: "api",
        domains: ["api.keyed.test", "keyed.test"],
        stored: "keyed.test",
        needed: true,
        command: "agentos secrets set keyed.test",
      }]);
      const run = await cli(["skills", "list"]);
      assert.match(run.stdout, /^keyed-api\s.*\smasked\s/m);
      assert.match(run.stdout, /^secret-user\s.*\sreal values \(granted\)\s/m);
      assert.match(
        run.stdout,
        /^keyed-api\s+api\.keyed\.test\s+-\s+api: keyed\.test/m,
      );
    },
  );

  await t.step(
    "a skill granted real values signs with them; its result is the owner's to see, logs and errors are redacted",
    async () => {
      const { result } = await client.call<{ result: Json }>("skills.run", {
        skill: "secret-user",
        tool: "sign",
        params: { message: "hello" },
      });
      assert.equal(result.status, 204, "the server verified the HMAC");
      assert.equal(result.length, SECRET.length);
      // Granted: the result is not redacted (a logo URL carries its token).
      assert.equal(result.echo, SECRET);
      assert.deepEqual(result.auth, { key: SECRET });
      const crash = await rejectsWith(
        client.call("skills.run", {
          skill: "secret-user",
          tool: "crash_loudly",
        }),
        ErrorCode.SkillFailed,
        /exited before answering \(exit code 3\): dying with \[secret\]/,
      );
      assert.ok(!JSON.stringify(crash.data).includes(SECRET));
      await rejectsWith(
        client.call("skills.run", {
          skill: "secret-user",
          tool: "read_other",
          params: { domain: "victim.test" },
        }),
        ErrorCode.SkillFailed,
        /may read only the credentials of its own connections' domains \(api\.keyed\.test, keyed\.test\); "victim\.test" is not one/,
      );
    },
  );

  await t.step(
    "the audit trail names hosts and checks, never a value, header, query or body",
    async () => {
      const text = await Deno.readTextFile(engine.paths.ioLog);
      const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
      const http = lines.filter((l) =>
        l.op === "http.request" && l.skill === "keyed-api"
      );
      assert.equal(http.length, 2);
      assert.deepEqual(http[0].checks, {
        egress: "declared host",
        credentials: "substituted for keyed.test",
        auth_template: "api",
        address: `origin map ${new URL(server.origin).host}`,
      });
      assert.equal(http[0].target, "api.keyed.test");
      assert.ok(http[0].bytesIn > 0 && http[1].bytesOut > 0);
      const read = lines.find((l) => l.op === "secrets.read");
      assert.equal(read.target, "keyed.test");
      assert.equal(read.status, "ok");
      const refused = lines.find((l) =>
        l.op === "secrets.read" && l.status === "refused"
      );
      assert.equal(refused.checks.credential_domain, "refused");
      for (
        const needle of ["api_key", "q=tea", "x-api-key", "Bearer", "hello"]
      ) {
        assert.ok(!text.includes(needle), `audit holds "${needle}"`);
      }
      assert.ok(!text.includes(await hmacHex(SECRET, "hello")));
    },
  );

  await t.step(
    "the planted secret is nowhere on disk: database, WAL, logs, audit, snapshots",
    async () => {
      const files = await filesUnder(engine.paths.home);
      assert.ok(files.includes(engine.paths.database));
      assert.ok(files.includes(`${engine.paths.database}-wal`));
      assert.ok(files.includes(engine.paths.engineLog));
      assert.ok(files.includes(engine.paths.ioLog));
      const forms = [SECRET, encodeURIComponent(SECRET), btoa(SECRET)];
      for (const file of files) {
        const bytes = await Deno.readFile(file);
        const text = new TextDecoder("latin1").decode(bytes);
        for (const form of forms) {
          assert.ok(!text.includes(form), `${file} holds the secret`);
        }
      }
      const log = await Deno.readTextFile(engine.paths.engineLog);
      assert.match(log, /signed with key \[secret\]/);
    },
  );
});
