/**
 * Two of the SQL broker's limits on their own, through a real sandboxed
 * runner: a skill's declared database must lie inside its own data
 * directory (not in a sibling whose name begins the same), and no query
 * returns more than 10 000 rows whatever `limit` it asks for.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../../errors.ts";
import { connection, withBroker } from "./_sql_test_broker.ts";

Deno.test("SqlBroker.query() refuses a database in a sibling data directory whose name begins with the skill's", () =>
  withBroker(async (broker, dir) => {
    for (const id of ["skill", "skill2"]) {
      await Deno.mkdir(`${dir}/skill-data/${id}`, { recursive: true });
      const db = new DatabaseSync(`${dir}/skill-data/${id}/notes.db`);
      db.exec(
        `CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('${id}')`,
      );
      db.close();
    }
    const skill = {
      id: "skill",
      connections: [
        connection({ name: "own", sqlite: "notes.db" }),
        connection({ name: "sibling", sqlite: "../skill2/notes.db" }),
      ],
    };
    const own = await broker.query(skill, {
      sql: "SELECT t FROM notes",
      db: "own",
    });
    assert.deepEqual(own.rows, [{ t: "skill" }]);
    await assert.rejects(
      broker.query(skill, { sql: "SELECT t FROM notes", db: "sibling" }),
      (error: RpcError) =>
        error.code === ErrorCode.Forbidden &&
        /is not inside it/.test(error.message),
    );
  }, 20));

Deno.test("SqlBroker.query() returns at most 10 000 rows however many a limit asks for", () =>
  withBroker(async (broker) => {
    const sql =
      "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 12000) SELECT x FROM r";
    const out = await broker.query({ id: "s", connections: [] }, {
      sql,
      limit: 1_000_000,
    });
    assert.equal(out.rows.length, 10_000);
    assert.equal(out.truncated, true);
  }, 20));
