/**
 * A granted skill's records never carry its key into the graph. The
 * owner's `--secrets` grant lets a skill's result reach the owner's app
 * unredacted (a logo URL carrying its token), but the records written
 * from that result went into the graph as they were: any masked skill
 * with `sql` (and any app) read the key from `node_values`. The graph
 * now stores the redacted view whatever the grant, while the owner's
 * call still gets the real URL. Real engine, real sandboxed workers, the
 * SQL runner over the real graph.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture } from "./skills_helpers.ts";
import { runAgentos } from "./_cli.ts";

const KEY = "pk_records_live_6a1f0c93e2";

Deno.test("a masked skill never reads a granted skill's key from the records it stored", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/deputy-logo`,
  });
  await client.call("skills.add", { path: fixture("sql-reader") });
  await client.call("secrets.set", { skill: "deputy-logo", value: KEY });
  const granted = await runAgentos(engine.paths.home, [
    "skills",
    "allow",
    "deputy-logo",
    "--secrets",
  ]);
  assert.equal(granted.code, 0, granted.stderr);

  const own = await client.call<{
    result: { url: string };
    records: { created: number };
  }>("skills.run", { skill: "deputy-logo", tool: "logo_page", params: {} });
  assert.equal(
    own.result.url,
    `https://img.logo.test/example.com?token=${KEY}`,
  );
  assert.equal(own.records.created, 1, "the page was stored");

  const read = await client.call<{ result: { rows: { value: string }[] } }>(
    "skills.run",
    {
      skill: "sql-reader",
      tool: "query",
      params: {
        text:
          "SELECT value FROM node_values WHERE key = 'url' AND value LIKE '%img.logo.test%'",
      },
    },
  );
  assert.equal(read.result.rows.length, 1, "the record is in the graph");
  assert.ok(
    !read.result.rows[0]!.value.includes(KEY.slice(0, 10)),
    `a masked skill read the granted skill's key from the graph: ${
      read.result.rows[0]!.value
    }`,
  );
  assert.equal(
    read.result.rows[0]!.value,
    "https://img.logo.test/example.com?token=[secret]",
  );
});
