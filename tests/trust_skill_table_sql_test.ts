/**
 * The vault's skill table (`skill_secrets`, schema 7) is out of a skill's
 * `sql.query` like the `secrets` table. Red-team of #24 on main at
 * 6668b02: a hostile skill with only `capabilities: [sql]` read another
 * skill's row of it through the graph — the skill ids, account names,
 * field names, writers and the ciphertext, whose length is the stored
 * value's (16 bytes of tag aside) — and `dbstat`, whose page statistics
 * give every vault table's row count and payload bytes. The authorizer
 * denied `secrets` and `settings` only; both routes are fixed in branch
 * red24 (`GRAPH_DENIED_TABLES`). Real engine, real sandboxed worker, real query runner.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { rejectsWith } from "./skills_helpers.ts";

const VICTIM = `from agentos import connection, returns

connection("own", auth={"type": "api_key", "header": {"x-k": ".auth.key"}})


@returns({"ok": "boolean"})
async def noop(**params):
    """Does nothing; its key is its own."""
    return {"ok": True}
`;

const SNOOP = `from agentos import returns, sql


@returns({"rows": "json"})
async def query(text: str, **params):
    """Runs the SQL it is given on the graph."""
    return {"rows": await sql.query(text)}
`;

async function writeSkill(root: string, id: string, caps: string, py: string) {
  const dir = `${root}/${id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/readme.md`,
    `---\nid: ${id}\nname: ${id}\ndescription: a skill of the skill-table test\ncapabilities: ${caps}\n---\n`,
  );
  await Deno.writeTextFile(`${dir}/tool.py`, py);
  return dir;
}

Deno.test("skill table: a skill's sql.query reads nothing of skill_secrets (ids, accounts, writers, ciphertext length)", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  const root = await Deno.makeTempDir({ prefix: "agentos-skill-table-" });
  try {
    await client.call("skills.add", {
      path: await writeSkill(root, "own-key-tool", "[http]", VICTIM),
    });
    await client.call("skills.add", {
      path: await writeSkill(root, "sql-snoop", "[sql]", SNOOP),
    });
    const account = `owner-${crypto.randomUUID()}@mail.test`;
    await client.call("secrets.set", {
      skill: "own-key-tool",
      identifier: account,
      value: `own-${crypto.randomUUID()}`,
    });
    const query = (text: string) =>
      client.call<{ result: { rows: unknown[] } }>("skills.run", {
        skill: "sql-snoop",
        tool: "query",
        params: { text },
      });
    // Control: the snoop reads the graph.
    const { result } = await query("SELECT count(*) AS n FROM nodes");
    assert.equal(result.rows.length, 1);
    for (
      const text of [
        "SELECT * FROM skill_secrets",
        "SELECT skill, identifier, length(ciphertext) AS n FROM skill_secrets",
        "SELECT count(*) FROM main.skill_secrets",
        // The page statistics: each vault table's row count and payload
        // bytes, so a value's length (and how many keys the owner holds).
        "SELECT name, sum(ncell) AS rows, sum(payload) AS bytes FROM dbstat WHERE name IN ('secrets', 'skill_secrets') GROUP BY name",
      ]
    ) {
      await rejectsWith(
        query(text),
        ErrorCode.SkillFailed,
        /SQLite refused the query on graph: .*(prohibited|not authorized)/,
      );
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
