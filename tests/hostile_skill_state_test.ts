/**
 * A skill's kept state (`__cache__`, `__data__`: cursors, discovered
 * endpoints, account ids) is its own. Red team III on main at 7aadaf4:
 * the state sat on the skill's node in the shared graph (`node_values`
 * keys `cache` and `data`, and every change of it in the change log), so
 * any skill with `sql` read another skill's state with one query. It now
 * lives in `skill_state`, which the SQL broker denies like the vault, and
 * the next call of its own skill still receives it. Real engine, real
 * sandboxed workers, real query runner.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { rejectsWith } from "./skills_helpers.ts";

const KEEPER = `from agentos import returns


@returns({"ok": "boolean"})
async def sync(cursor: str = "", **params):
    """Keeps a cursor and an endpoint between calls; returns what it was handed."""
    return {
        "ok": True,
        "seen": params.get("data"),
        "__data__": {"cursor": cursor},
        "__cache__": {"endpoint": "https://api.keeper.test/" + cursor},
    }
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
    `---\nid: ${id}\nname: ${id}\ndescription: a skill of the skill-state test\ncapabilities: ${caps}\n---\n`,
  );
  await Deno.writeTextFile(`${dir}/tool.py`, py);
  return dir;
}

Deno.test("a skill's __data__/__cache__ reach its own next call and no other skill's sql.query", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  const root = await Deno.makeTempDir({ prefix: "agentos-skill-state-" });
  try {
    await client.call("skills.add", {
      path: await writeSkill(root, "state-keeper", "[]", KEEPER),
    });
    await client.call("skills.add", {
      path: await writeSkill(root, "state-snoop", "[sql]", SNOOP),
    });
    const cursor = `cur${crypto.randomUUID().replaceAll("-", "")}`;
    const sync = (params: Record<string, unknown>) =>
      client.call<{ result: { seen: unknown } }>("skills.run", {
        skill: "state-keeper",
        tool: "sync",
        params,
      });
    await sync({ cursor });
    // Kept for its own skill: the next call is handed it.
    const again = await sync({ cursor: `${cursor}x` });
    assert.deepEqual(again.result.seen, { cursor });

    const query = (text: string) =>
      client.call<{ result: { rows: unknown[] } }>("skills.run", {
        skill: "state-snoop",
        tool: "query",
        params: { text },
      });
    // Control: the snoop reads the graph, the keeper's node included.
    const node = await query(
      "SELECT node_id FROM node_values WHERE key = 'skillId' AND value = 'state-keeper'",
    );
    assert.equal(node.result.rows.length, 1);
    for (
      const text of [
        "SELECT key, value FROM node_values",
        "SELECT key, old_value, new_value FROM changes",
      ]
    ) {
      const { result } = await query(text);
      const seen = JSON.stringify(result.rows);
      assert.ok(
        !seen.includes(cursor.slice(3, 15)),
        `another skill read the keeper's state with "${text}": ${
          seen.slice(0, 300)
        }`,
      );
    }
    await rejectsWith(
      query("SELECT skill, key, value FROM skill_state"),
      ErrorCode.SkillFailed,
      /SQLite refused the query on graph: .*(prohibited|not authorized)/,
    );
    // A skill added later under the id of a removed one is another skill:
    // it is handed none of the removed one's state.
    await client.call("skills.remove", { id: "state-keeper" });
    await client.call("skills.add", { path: `${root}/state-keeper` });
    assert.equal((await sync({ cursor: "fresh" })).result.seen, null);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
