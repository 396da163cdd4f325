/**
 * Issue #28 item 5: a network failure names the address actually tried
 * and the origin map that sent the request there, not only the host the
 * skill named; a 401/403 to a stored key names the command that replaces
 * it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, localServer } from "./skills_helpers.ts";

Deno.test("network errors name where the request went; a refused key names its fix", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;
  await (await engine.client()).call("skills.add", {
    path: fixture("keyed-api"),
  });
  const stored = await runAgentos(
    home,
    ["secrets", "set", "keyed.test"],
    "k-old-7f3a9c21e4\n",
  );
  assert.equal(stored.code, 0, stored.stderr);

  await t.step(
    "the local server is down: the error names it and the map",
    async () => {
      // A port that answered a moment ago and is closed now.
      const gone = localServer(() => new Response("never"));
      const origin = gone.origin;
      await gone[Symbol.asyncDispose]();
      const set = await runAgentos(home, [
        "prefs",
        "set",
        "http.origin_map",
        JSON.stringify({ "https://api.keyed.test": origin }),
      ]);
      assert.equal(set.code, 0, set.stderr);
      const run = await runAgentos(home, [
        "skills",
        "run",
        "keyed-api",
        "notes",
      ]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /HTTP request to "api\.keyed\.test"/);
      assert.match(run.stderr, /failed: fetch failed: .*Connection refused/);
      assert.ok(
        run.stderr.includes(
          `sent to ${origin}, mapped by https://api.keyed.test → ${origin} (prefs http.origin_map)`,
        ),
        run.stderr,
      );
    },
  );

  await t.step(
    "a 401 to the stored key names the command to replace it",
    async () => {
      await using server = localServer(() =>
        Response.json({ error: "key revoked" }, { status: 401 })
      );
      await runAgentos(home, [
        "prefs",
        "set",
        "http.origin_map",
        JSON.stringify({ "https://api.keyed.test": server.origin }),
      ]);
      const run = await runAgentos(home, [
        "skills",
        "run",
        "keyed-api",
        "notes",
      ]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, /HTTP 401/);
      assert.match(
        run.stderr,
        /answered HTTP 401 to the stored credential for "keyed\.test".*agentos secrets set keyed\.test/,
      );
      assert.ok(
        !run.stderr.includes("k-old-7f3a9c21e4"),
        "the key itself is never shown",
      );
      const json = JSON.parse(
        (await runAgentos(home, [
          "skills",
          "run",
          "keyed-api",
          "notes",
          "--json",
        ])).stdout,
      );
      assert.deepEqual(json.error.data.rejected_credential, {
        domain: "keyed.test",
        identifier: "",
        status: 401,
      });
    },
  );
});
