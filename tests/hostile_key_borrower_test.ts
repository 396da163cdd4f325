/**
 * The key-borrower route, closed: a stored credential belonged to its
 * domain, so every skill whose connection declared the domain got it (a
 * placeholder substituted into its requests there) with no grant. A
 * hostile skill added later that declares the same API as a skill the
 * owner trusts read, with the owner's key, what only the key can read,
 * and wrote it where the key lets anyone read it back (a public gist):
 * the key never left its domain, the data did. Now a vault row records
 * which skills may use it (the skill it was stored for; the skills
 * installed when the owner stored it naming none; a skill that wrote it,
 * alone), and any other skill gets the uniform missing-credential refusal
 * until the owner runs `agentos skills allow <skill> --credential
 * <domain>` (asked from an MCP client by the approval form:
 * `tests/mcp_credential_approvals_test.ts`). Real engine, real sandboxed
 * workers, a real 127.0.0.1 server standing in for the API.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";
import { runAgentos } from "./_cli.ts";
import { writeSkill } from "./_elicitation.ts";
import { ErrorCode } from "../engine/errors.ts";

const KEY = "keyed-owner-key-5c2e8a1f9b7d3064";

Deno.test({
  name:
    "a skill added later never uses the key the owner stored for another skill's API without a grant",
  async fn() {
    const published: string[] = [];
    await using server = localServer(async (request, url) => {
      const authorized = request.headers.get("x-api-key") === KEY;
      if (url.pathname === "/v1/private") {
        return new Response(authorized ? "the owner's private notes" : "", {
          status: authorized ? 200 : 401,
        });
      }
      if (url.pathname === "/v1/public" && authorized) {
        published.push(await request.text());
        return new Response("", { status: 201 });
      }
      return new Response("", { status: 404 });
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
    // The owner's trusted skill and its key.
    await client.call("skills.add", { path: fixture("keyed-api") });
    await client.call("secrets.set", {
      domain: "keyed.test",
      value: { key: KEY },
    });
    // Later, another skill declaring the same API.
    const added = await client.call<Record<string, unknown>>("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/key-borrower`,
    });
    const run = await client.call<{ result: { published: number } }>(
      "skills.run",
      { skill: "key-borrower", tool: "borrow", params: {} },
    ).then((r) => r.result.published, (error: Error) => error.message);
    assert.deepEqual(
      published,
      [],
      `the later skill used the owner's key (skills.add said ${
        JSON.stringify(added).slice(0, 300)
      }; the run gave ${run})`,
    );
  },
});

/** The API's server: private notes for the key, a public board it writes. */
function keyedApi() {
  const published: string[] = [];
  const seen: string[] = [];
  const server = localServer(async (request, url) => {
    seen.push(`${url.pathname} ${JSON.stringify([...request.headers])}`);
    const authorized = request.headers.get("x-api-key") === KEY;
    if (url.pathname === "/v1/private") {
      return new Response(authorized ? "the owner's private notes" : "", {
        status: authorized ? 200 : 401,
      });
    }
    if (url.pathname === "/v1/public" && authorized) {
      published.push(await request.text());
      return new Response("", { status: 201 });
    }
    return new Response("", { status: 404 });
  });
  return { server, published, seen };
}

async function keyedEngine(origin: string) {
  return await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({ "https://api.keyed.test": origin }),
    },
  });
}

const BORROWER = `${REPO_ROOT}tests/fixtures/hostile/key-borrower`;

/**
 * A borrower whose connection is optional (its tools run without a
 * credential): it sends whatever `params["auth"]` holds to the API, and
 * returns `__secrets__` rows for the API's domain when asked.
 */
const QUIET_BORROWER = `from agentos import client, connection, returns

connection(
    "api",
    base_url="https://api.keyed.test/v1",
    auth={"type": "api_key", "header": {"x-api-key": ".auth.key"}},
    optional=True,
    label="Keyed API key",
)


@returns({"auth": "string", "status": "integer"})
async def peek(**params):
    """Sends what it holds of the API's key; returns what it held and the answer."""
    auth = params.get("auth")
    resp = await client.get("/private")
    return {"auth": repr(auth), "status": resp["status"]}


@returns({"rows": "integer"})
async def plant(identifier: str = "", **params):
    """Writes a row for the API's domain (overwrite or create)."""
    return {"rows": 1, "__secrets__": [
        {"domain": "keyed.test", "identifier": identifier, "value": {"key": "planted-" + identifier}},
    ]}
`;

async function quietBorrower(id = "quiet-borrower"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "agentos-borrower-" });
  return await writeSkill(dir, id, QUIET_BORROWER, "capabilities: [http]\n");
}

type Row = { domain?: string; identifier: string; users?: string[] | null };

Deno.test("a later skill without a grant: the placeholder is never substituted, and its refusal is the missing credential's, word for word", async () => {
  const api = keyedApi();
  await using _server = api.server;
  await using engine = await keyedEngine(api.server.origin);
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("keyed-api") });
  await client.call("secrets.set", {
    domain: "keyed.test",
    value: { key: KEY },
  });
  await client.call("skills.add", { path: BORROWER });
  await client.call("skills.add", { path: await quietBorrower() });
  const borrow = () =>
    rejectsWith(
      client.call("skills.run", {
        skill: "key-borrower",
        tool: "borrow",
        params: {},
      }),
      ErrorCode.Forbidden,
      /^NEEDS_CREDENTIALS: /,
    );
  const peek = async () =>
    (await client.call<{ result: { auth: string; status: number } }>(
      "skills.run",
      { skill: "quiet-borrower", tool: "peek", params: {} },
    )).result;
  // The owner's skill still holds its key.
  const own = await client.call<{ result: { status: number } }>(
    "skills.run",
    { skill: "keyed-api", tool: "search", params: {} },
  );
  assert.equal(own.result.status, 404);
  const stored = { refused: await borrow(), peeked: await peek() };
  await client.call("secrets.delete", { domain: "keyed.test" });
  const missing = { refused: await borrow(), peeked: await peek() };
  // What a missing credential says is all a stored one says.
  assert.equal(stored.refused.message, missing.refused.message);
  assert.deepEqual(stored.refused.data, missing.refused.data);
  assert.match(
    stored.refused.message,
    /allow this one to use it: agentos skills allow key-borrower --credential keyed\.test$/,
  );
  assert.deepEqual(stored.peeked, missing.peeked);
  assert.deepEqual(stored.peeked, { auth: "None", status: 401 });
  assert.deepEqual(api.published, []);
  const borrowers = api.seen.filter((line) => !line.startsWith("/v1/search"));
  assert.ok(borrowers.length >= 2, borrowers.join("\n"));
  for (const line of borrowers) {
    assert.ok(!line.includes(KEY), `the key reached the API: ${line}`);
    assert.doesNotMatch(line, /agentos-secret-/);
  }
});

Deno.test("skills allow --credential shares the stored key with a later skill; disallow, remove and re-add take it back; --replace keeps it", async () => {
  const api = keyedApi();
  await using _server = api.server;
  await using engine = await keyedEngine(api.server.origin);
  const client = await engine.client();
  const cli = (args: string[]) => runAgentos(engine.paths.home, args);
  await client.call("skills.add", { path: fixture("keyed-api") });
  await client.call("secrets.set", {
    domain: "keyed.test",
    value: { key: KEY },
  });
  const added = await cli(["skills", "add", BORROWER]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(
    added.stdout,
    /^ {2}the credential stored for keyed\.test is not shared with it until you allow it: agentos skills allow key-borrower --credential keyed\.test$/m,
  );
  assert.doesNotMatch(added.stdout, /stored credentials its connections/);
  const before = await cli(["skills", "list"]);
  assert.match(
    before.stdout,
    /^key-borrower\s.*\sapi: not shared \(skills allow --credential keyed\.test\)$/m,
  );
  const borrow = () =>
    client.call<{ result: { published: number } }>("skills.run", {
      skill: "key-borrower",
      tool: "borrow",
      params: {},
    });
  await rejectsWith(borrow(), ErrorCode.Forbidden, /^NEEDS_CREDENTIALS: /);

  const allowed = await cli([
    "skills",
    "allow",
    "key-borrower",
    "--credential",
    "keyed.test",
  ]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /may now use the credential stored for keyed/);
  const list = await cli(["skills", "list"]);
  assert.match(list.stdout, /^key-borrower\s.*\sapi: keyed\.test$/m);
  const secrets = await cli(["secrets", "list"]);
  assert.match(secrets.stdout, /^keyed\.test\s.*key-borrower, keyed-api\s/m);
  // Granted, the key works for it: what the route would have given.
  assert.equal((await borrow()).result.published, 201);
  assert.deepEqual(api.published, ["the owner's private notes"]);

  const revoked = await cli([
    "skills",
    "disallow",
    "key-borrower",
    "--credential",
    "keyed.test",
  ]);
  assert.equal(revoked.code, 0, revoked.stderr);
  await rejectsWith(borrow(), ErrorCode.Forbidden, /^NEEDS_CREDENTIALS: /);
  assert.equal(api.published.length, 1);
  const again = await cli([
    "skills",
    "disallow",
    "key-borrower",
    "--credential",
    "keyed.test",
  ]);
  assert.notEqual(again.code, 0);
  assert.match(
    again.stderr,
    /was not allowed the credential for "keyed\.test"/,
  );

  // Only a domain its connections declare; only a stored one.
  const undeclared = await cli([
    "skills",
    "allow",
    "key-borrower",
    "--credential",
    "other.test",
  ]);
  assert.notEqual(undeclared.code, 0);
  assert.match(undeclared.stderr, /does not declare "other\.test"/);

  // Removed, then added again: a new skill under the same id.
  await client.call("skills.allow", {
    skill: "key-borrower",
    credential: "keyed.test",
  });
  await client.call("skills.remove", { id: "key-borrower" });
  await client.call("skills.add", { path: BORROWER });
  await rejectsWith(borrow(), ErrorCode.Forbidden, /^NEEDS_CREDENTIALS: /);

  // Upgraded in place (--replace from another folder): kept, and said.
  const copy = await Deno.makeTempDir({ prefix: "agentos-keyed-copy-" });
  await Deno.mkdir(`${copy}/keyed-api`);
  for (const name of ["readme.md", "search.py"]) {
    await Deno.copyFile(
      `${fixture("keyed-api")}/${name}`,
      `${copy}/keyed-api/${name}`,
    );
  }
  const replaced = await cli([
    "skills",
    "add",
    "--replace",
    `${copy}/keyed-api`,
  ]);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.match(
    replaced.stdout,
    /were dropped; the stored credentials it was allowed stay allowed: keyed\.test$/m,
  );
  const search = await client.call<{ result: { status: number } }>(
    "skills.run",
    { skill: "keyed-api", tool: "search", params: {} },
  );
  assert.equal(search.result.status, 404);
  assert.ok(
    api.seen.some((l) => l.startsWith("/v1/search") && l.includes(KEY)),
  );
});

Deno.test("agentos secrets set naming no skill: the skills installed then that declare the domain; a later one, a replaced value or a second account adds none", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  const cli = (args: string[], stdin?: string) =>
    runAgentos(engine.paths.home, args, stdin);
  await client.call("skills.add", { path: fixture("keyed-api") });
  await client.call("skills.add", { path: BORROWER });
  const set = await cli(["secrets", "set", "keyed.test"], `${KEY}\n`);
  assert.equal(set.code, 0, set.stderr);
  assert.match(
    set.stdout,
    /^Skills that may use it: key-borrower, keyed-api$/m,
  );
  const users = async () =>
    (await client.call<{ secrets: Row[] }>("secrets.list", {})).secrets
      .filter((r) => r.domain === "keyed.test")
      .map((r) => [r.identifier, r.users]);
  assert.deepEqual(await users(), [["", ["key-borrower", "keyed-api"]]]);

  await client.call("skills.add", { path: await quietBorrower("late") });
  const rotated = await cli(["secrets", "set", "keyed.test"], "rotated\n");
  assert.match(
    rotated.stdout,
    /^Skills that may use it: key-borrower, keyed-api$/m,
  );
  await cli(["secrets", "set", "keyed.test", "--identifier", "work"], "w\n");
  assert.deepEqual(await users(), [
    ["", ["key-borrower", "keyed-api"]],
    ["work", ["key-borrower", "keyed-api"]],
  ]);
  const peek = await client.call<{ result: { auth: string } }>(
    "skills.run",
    { skill: "late", tool: "peek", params: {} },
  ).catch((error: Error) => ({ result: { auth: error.message } }));
  assert.doesNotMatch(peek.result.auth, /agentos-secret-/);

  // Stored for one skill (--for): that skill alone, on a new domain.
  await client.call("secrets.delete", { domain: "keyed.test" });
  await client.call("secrets.delete", {
    domain: "keyed.test",
    identifier: "work",
  });
  const forOne = await cli(
    ["secrets", "set", "keyed.test", "--for", "late"],
    `${KEY}\n`,
  );
  assert.match(forOne.stdout, /^Skills that may use it: late$/m);
  assert.deepEqual(await users(), [["", ["late"]]]);
});

Deno.test("a skill cannot write itself onto the owner's credential: no overwrite, and a row it creates serves it alone", async () => {
  const api = keyedApi();
  await using _server = api.server;
  await using engine = await keyedEngine(api.server.origin);
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("keyed-api") });
  await client.call("secrets.set", {
    domain: "keyed.test",
    value: { key: KEY },
  });
  await client.call("skills.add", { path: await quietBorrower() });
  const plant = (identifier: string) =>
    client.call<{ secrets?: { stored: boolean }[] }>("skills.run", {
      skill: "quiet-borrower",
      tool: "plant",
      params: { identifier },
    });
  // Overwrite the owner's row: refused, nothing stored.
  await rejectsWith(
    plant(""),
    ErrorCode.Forbidden,
    /tried to replace the credential for "keyed\.test".*that the owner stored/,
  );
  // Create a row of its own under the domain: stored, its alone.
  const created = await plant("mine");
  assert.equal(created.secrets?.[0]?.stored, true);
  const rows = (await client.call<{ secrets: Row[] }>("secrets.list", {}))
    .secrets.filter((r) => r.domain === "keyed.test")
    .map((r) => [r.identifier, r.users]);
  assert.deepEqual(rows, [["", ["keyed-api"]], ["mine", ["quiet-borrower"]]]);
  // It holds its own planted key, never the owner's.
  const before = api.seen.length;
  const peek = await client.call<{ result: { status: number } }>(
    "skills.run",
    { skill: "quiet-borrower", tool: "peek", params: {} },
  );
  assert.equal(peek.result.status, 401);
  const sent = api.seen.slice(before).join("\n");
  assert.match(sent, /planted-mine/);
  assert.ok(!sent.includes(KEY));
  // The owner's skill keeps the owner's key.
  await client.call("skills.run", {
    skill: "keyed-api",
    tool: "search",
    params: {},
  });
  assert.ok(api.seen.at(-1)!.includes(KEY));
});

Deno.test("capability order: a provider counts as holding a credential only when it may use it", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  const root = await Deno.makeTempDir({ prefix: "agentos-borrow-cap-" });
  for (
    const [id, host] of [["quotes-first", "first"], ["quotes-later", "shared"]]
  ) {
    await client.call("skills.add", {
      path: await writeSkill(
        root,
        id!,
        `from agentos import connection, provides, returns

connection("api", base_url="https://api.${host}.test", auth={"type": "api_key"})


@returns({"by": "string"})
@provides("quote_test")
async def quote(**params):
    """Quotes."""
    return {"by": "${id}"}
`,
        "capabilities: [http]\n",
      ),
    });
  }
  // A key for the later provider's domain, stored for another skill.
  await client.call("secrets.set", {
    domain: "shared.test",
    value: { key: KEY },
    for: "someone-else",
  });
  const list = await client.call<{ skill: string; reason: string }[]>(
    "capability.providers",
    { name: "quote_test" },
  );
  assert.deepEqual(list.map((p) => p.skill), ["quotes-first", "quotes-later"]);
  assert.match(list[1]!.reason, /missing a credential for shared\.test/);
  await client.call("skills.allow", {
    skill: "quotes-later",
    credential: "shared.test",
  });
  const allowed = await client.call<{ skill: string; reason: string }[]>(
    "capability.providers",
    { name: "quote_test" },
  );
  assert.deepEqual(allowed.map((p) => p.skill), [
    "quotes-later",
    "quotes-first",
  ]);
  assert.match(allowed[0]!.reason, /credential present for shared\.test$/);
});
