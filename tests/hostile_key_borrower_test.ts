/**
 * Route (left open): a stored credential belongs to its domain, so every
 * skill whose connection declares that domain gets it, as a placeholder
 * substituted into its requests to the domain, with no grant and no word
 * at `skills add` (only `--replace` lists the stored credentials a skill
 * will use). A hostile skill added later that declares the same API as a
 * skill the owner trusts reads, with the owner's key, what only the key
 * can read, and writes it where the key lets anyone read it back (a
 * public gist, a shared channel): the key never leaves its domain, the
 * data does. A fix: a skill uses a domain's stored credential only once
 * the owner allowed it (`agentos skills allow <skill> --credential
 * <domain>`, asked from an MCP client like the other grants), the
 * credential's writer and the skills that used it shown by
 * `secrets list`; at least, `skills add` names the stored credentials the
 * new skill's connections will use, as `--replace` does. The route test
 * is left ignored (a design change beyond a red-team fix); the second
 * test holds the least: `skills add` names the stored credentials the new
 * skill's connections will use. Real engine, real sandboxed worker.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer } from "./skills_helpers.ts";
import { runAgentos } from "./_cli.ts";

const KEY = "keyed-owner-key-5c2e8a1f9b7d3064";

Deno.test({
  name:
    "a skill added later never uses the key the owner stored for another skill's API without a grant",
  ignore: true,
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

Deno.test("skills add names the stored credentials a later skill's connections will use", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const client = await engine.client();
  const borrower = `${REPO_ROOT}tests/fixtures/hostile/key-borrower`;
  // Nothing stored yet: nothing to name.
  const before = await runAgentos(engine.paths.home, [
    "skills",
    "add",
    borrower,
  ]);
  assert.equal(before.code, 0, before.stderr);
  assert.doesNotMatch(before.stdout, /stored credentials/);
  await client.call("secrets.set", {
    domain: "keyed.test",
    value: { key: KEY },
  });
  await client.call("skills.remove", { id: "key-borrower" });
  const added = await client.call<{ credentials: string[] }>("skills.add", {
    path: borrower,
  });
  assert.deepEqual(added.credentials, ["keyed.test"]);
  await client.call("skills.remove", { id: "key-borrower" });
  const cli = await runAgentos(engine.paths.home, ["skills", "add", borrower]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(
    cli.stdout,
    /^ {2}stored credentials its connections will use: keyed\.test$/m,
  );
});
