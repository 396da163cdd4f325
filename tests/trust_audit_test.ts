/**
 * The audit trail on real brokered operations (`agentos audit tail` and
 * `verify`), `sql.query` from a skill, record and replay with
 * `agentos skills test`, and a vault keyed by a passphrase.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, localServer, rejectsWith } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const SECRET = "sk-replay-PLANTED-5e1d0c";

Deno.test("audit, sql.query, and record/replay through the CLI", async (t) => {
  let requests = 0;
  let serverOpen = true;
  const server = localServer((request) => {
    requests++;
    return Response.json({
      results: ["green", "black"],
      keyOk: request.headers.get("x-api-key") === SECRET,
    });
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
  const home = engine.paths.home;
  const cli = (...args: string[]) => runAgentos(home, args);
  const recording = `${home}/keyed.recording.json`;
  try {
    // Stored for the skill added next (a key stored naming no skill is
    // for the skills installed at that moment: none yet).
    await client.call("secrets.set", {
      domain: "keyed.test",
      value: { key: SECRET },
      for: "keyed-api",
    });
    for (const name of ["keyed-api", "sql-reader"]) {
      await client.call("skills.add", { path: fixture(name) });
    }

    await t.step(
      "sql.query reads the graph; writes and the vault are refused",
      async () => {
        const query = (text: string) =>
          client.call<{ result: { rows: Json[] } }>("skills.run", {
            skill: "sql-reader",
            tool: "query",
            params: { text },
          });
        const { result } = await query(
          "SELECT count(*) AS n FROM node_shapes WHERE shape = 'skill'",
        );
        // One row with a count (the skill's own node may or may not be
        // written by the time the query reads the graph).
        assert.equal(result.rows.length, 1);
        assert.equal(typeof result.rows[0]!.n, "number");
        await rejectsWith(
          query("DELETE FROM nodes"),
          ErrorCode.SkillFailed,
          /SQLite refused the query on graph: attempt to write a readonly database/,
        );
        await rejectsWith(
          query("SELECT ciphertext FROM secrets"),
          ErrorCode.SkillFailed,
          /access to secrets\.ciphertext is prohibited/,
        );
        await rejectsWith(
          query("ATTACH 'x.db' AS x"),
          ErrorCode.SkillFailed,
          /not authorized/,
        );
      },
    );

    await t.step(
      "skills test --record saves every brokered response",
      async () => {
        const run = await cli(
          "skills",
          "test",
          "keyed-api",
          "--record",
          recording,
        );
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /1 passed, 0 failed/);
        assert.match(run.stdout, /Recorded 1 responses to /);
        const text = await Deno.readTextFile(recording);
        assert.ok(!text.includes(SECRET));
        const saved = JSON.parse(text);
        assert.equal(saved.skill, "keyed-api");
        assert.deepEqual(saved.exchanges[0].request, {
          method: "GET",
          url: "https://api.keyed.test/v1/search?q=tea&api_key={secret}",
        });
        assert.equal(JSON.parse(saved.exchanges[0].response.body).keyOk, true);
      },
    );

    await t.step("--replay answers from the file with no network", async () => {
      await server[Symbol.asyncDispose]();
      serverOpen = false;
      const before = requests;
      const run = await cli(
        "skills",
        "test",
        "keyed-api",
        "--replay",
        recording,
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /1 passed, 0 failed/);
      assert.equal(requests, before);
      const lines = (await Deno.readTextFile(engine.paths.ioLog)).trimEnd()
        .split("\n").map((l) => JSON.parse(l));
      const replayed = lines.findLast((l) => l.op === "http.request");
      assert.deepEqual(replayed.checks, {
        egress: "declared host",
        replay: "answered",
      });
    });

    await t.step(
      "--replay fails loudly on a request that was not recorded",
      async () => {
        const saved = JSON.parse(await Deno.readTextFile(recording));
        saved.exchanges[0].request.url = "https://api.keyed.test/v1/other";
        await Deno.writeTextFile(recording, JSON.stringify(saved));
        const run = await cli(
          "skills",
          "test",
          "keyed-api",
          "--replay",
          recording,
        );
        assert.equal(run.code, 1);
        assert.match(run.stdout, /0 passed, 1 failed/);
        assert.match(
          run.stdout,
          /Not recorded: GET https:\/\/api\.keyed\.test\/v1\/search\?q=tea&api_key=\{secret\}/,
        );
      },
    );

    await t.step("audit tail and verify read the real trail", async () => {
      let run = await cli("audit", "verify");
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /\d+ lines, chain intact/);
      run = await cli("audit", "tail", "--skill", "sql-reader", "-n", "50");
      assert.equal(run.code, 0, run.stderr);
      assert.match(
        run.stdout,
        /sql-reader\s+query\s+sql\.query\s+graph:node_shapes\s+ok/,
      );
      assert.match(
        run.stdout,
        /sql-reader\s+query\s+sql\.query\s+\S*\s*failed/,
      );
      assert.doesNotMatch(run.stdout, /keyed-api/);
      const json = JSON.parse(
        (await cli("audit", "tail", "--json", "-n", "200")).stdout,
      );
      for (const line of json) {
        assert.equal(typeof line.seq, "number");
        assert.match(line.prev, /^[0-9a-f]{64}$/);
      }
      const text = await Deno.readTextFile(engine.paths.ioLog);
      assert.ok(!text.includes(SECRET));
      await Deno.writeTextFile(
        engine.paths.ioLog,
        text.replace('"status":"refused"', '"status":"ok"'),
      );
      run = await cli("audit", "verify");
      assert.equal(run.code, 1);
      assert.match(run.stderr, /line \d+ does not link to the line before/);
    });
  } finally {
    if (serverOpen) await server[Symbol.asyncDispose]();
  }
});

Deno.test("a vault keyed by AGENTOS_VAULT_PASSPHRASE opens only with that passphrase", async () => {
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  try {
    {
      await using engine = await EngineProcess.start({
        home,
        env: { AGENTOS_VAULT_PASSPHRASE: "correct horse battery staple" },
      });
      const client = await engine.client();
      await client.call("secrets.set", {
        domain: "x.test",
        value: "v-PLANTED",
      });
      const status = await client.call<{ vault: Json }>("engine.status");
      assert.deepEqual(status.vault, { key: "passphrase" });
    }
    {
      // A wrong passphrase no longer stops the engine: the vault is locked,
      // and every use of a credential fails, naming the fix.
      await using wrong = await EngineProcess.start({
        home,
        env: { AGENTOS_VAULT_PASSPHRASE: "wrong" },
      });
      const client = await wrong.client();
      const status = await client.call<{ vault: Json }>("engine.status");
      assert.match(String(status.vault.locked), /does not match/);
      await assert.rejects(
        client.call("secrets.set", { domain: "y.test", value: "v-OTHER" }),
        /vault is locked/,
      );
    }
    await using engine = await EngineProcess.start({
      home,
      env: { AGENTOS_VAULT_PASSPHRASE: "correct horse battery staple" },
    });
    const client = await engine.client();
    const { secrets } = await client.call<{ secrets: Json[] }>("secrets.list");
    assert.deepEqual(secrets.map((s) => s.domain), ["x.test"]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
