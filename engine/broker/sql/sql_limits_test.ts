/**
 * The SQL broker's limits on their own, through a real sandboxed
 * runner: a skill's declared database must lie inside its own data
 * directory (not in a sibling whose name begins the same), and no query
 * returns more than 10 000 rows whatever `limit` it asks for; 1000 rows by
 * default, a limit floored, each row bound at its edge; at most 4 MiB of
 * rows.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../../errors.ts";
import { connection, withBroker } from "./_sql_test_broker.ts";
import { SQL_TIMEOUT_S } from "./sql_broker.ts";

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

/** `n` rows, one column `x`: 1, 2, … n. */
const count = (n: number) =>
  `WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT ${n}) SELECT x FROM r`;

Deno.test("SqlBroker.query(): 1000 rows by default, a limit floored and capped at 10 000, each bound at its edge", () =>
  withBroker(async (broker) => {
    const cases: [string, Record<string, unknown>, number, boolean][] = [
      ["no limit, 1000 rows", { sql: count(1000) }, 1000, false],
      ["no limit, 1001 rows", { sql: count(1001) }, 1000, true],
      ["limit 0 is the default", { sql: count(1001), limit: 0 }, 1000, true],
      ["limit 2.9 is 2", { sql: count(5), limit: 2.9 }, 2, true],
      ["limit 1", { sql: count(1), limit: 1 }, 1, false],
      ["limit 10 000", { sql: count(10_001), limit: 10_000 }, 10_000, true],
      ["limit 10 001", { sql: count(10_000), limit: 10_001 }, 10_000, false],
    ];
    for (const [name, params, rows, truncated] of cases) {
      const out = await broker.query({ id: "s", connections: [] }, params);
      assert.deepEqual(
        { rows: out.rows.length, truncated: out.truncated },
        { rows, truncated },
        name,
      );
    }
  }, 60));

Deno.test("SqlBroker.query() returns at most 4 MiB of rows (as JSON)", () =>
  withBroker(async (broker) => {
    // Each row {"v": "0…0"} with 1000 zeros: 1009 characters and a
    // separator; the runner counts 2 for the brackets.
    const out = await broker.query({ id: "s", connections: [] }, {
      sql:
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 5000) SELECT hex(zeroblob(500)) AS v FROM r",
      limit: 10_000,
    });
    assert.equal(out.truncated, true);
    assert.equal(out.rows.length, Math.floor((4 * 1024 * 1024 - 2) / 1010));
  }, 30));

Deno.test("SqlBroker.query() stops a query at 10 s unless told otherwise", () =>
  withBroker(async (broker) => {
    assert.equal(SQL_TIMEOUT_S, 10);
    const started = performance.now();
    await assert.rejects(
      broker.query({ id: "skill", connections: [] }, {
        sql:
          "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
      }),
      (error: RpcError) =>
        error.code === ErrorCode.Timeout &&
        /did not finish within 10 s/.test(error.message),
    );
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds >= 9.5 && seconds < 20, `stopped after ${seconds} s`);
  }, "default"));
