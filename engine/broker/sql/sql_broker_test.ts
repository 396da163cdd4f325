import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../../graph/mod.ts";
import { ErrorCode, RpcError } from "../../errors.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { SqlBroker } from "./sql_broker.ts";
import { realPython } from "../../../tests/_task_command.ts";

function connection(fields: Record<string, unknown>): ConnectionInfo {
  return {
    name: "db",
    base_url: null,
    domain: null,
    auth: null,
    description: null,
    label: null,
    help_url: null,
    optional: null,
    client: null,
    file: "x.py",
    line: 1,
    ...fields,
  };
}

async function withBroker(
  fn: (broker: SqlBroker, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const graph = openDatabase(`${dir}/agentos.db`);
  try {
    graph.exec(
      `INSERT INTO settings (key, value, updated_at) VALUES ('prefs.x', '"1"', 'now')`,
    );
    await fn(
      new SqlBroker({
        python: realPython(),
        graphPath: `${dir}/agentos.db`,
        skillDataDir: `${dir}/skill-data`,
        timeoutS: 1,
      }),
      dir,
    );
  } finally {
    graph.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const SKILL = { id: "s", connections: [] as ConnectionInfo[] };

async function refused(
  promise: Promise<unknown>,
  code: number,
  message: RegExp,
): Promise<void> {
  await assert.rejects(
    promise,
    (error: RpcError) => error.code === code && message.test(error.message),
  );
}

Deno.test("SqlBroker.query() reads the graph read-only: SQLite itself refuses writes, and the vault and settings stay out of reach", () =>
  withBroker(async (broker) => {
    const out = await broker.query(SKILL, {
      sql: "SELECT count(*) AS n, ? AS echo FROM nodes",
      params: ["hi"],
    });
    assert.deepEqual(out.rows, [{ n: 0, echo: "hi" }]);
    assert.equal(out.target, "graph:nodes");
    for (
      const sql of [
        "INSERT INTO nodes (id) VALUES ('x')",
        "DELETE FROM nodes",
        "CREATE TABLE t (x)",
        "CREATE TEMP TABLE t (x)",
      ]
    ) {
      await refused(
        broker.query(SKILL, { sql }),
        ErrorCode.SkillFailed,
        /readonly database/,
      );
    }
    for (
      const sql of [
        "SELECT * FROM secrets",
        "SELECT value FROM settings",
        "PRAGMA query_only = OFF",
        "ATTACH '/tmp/x.db' AS x",
        "SELECT load_extension('x')",
      ]
    ) {
      await refused(
        broker.query(SKILL, { sql }),
        ErrorCode.SkillFailed,
        /SQLite refused the query on graph: .*(prohibited|not authorized)/,
      );
    }
  }));

Deno.test("SqlBroker.query() stops a runaway query at its deadline and caps rows", () =>
  withBroker(async (broker) => {
    await refused(
      broker.query(SKILL, {
        sql:
          "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
      }),
      ErrorCode.Timeout,
      /did not finish within 1 s/,
    );
    const out = await broker.query(SKILL, {
      sql:
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r LIMIT 50) SELECT x FROM r",
      limit: 10,
    });
    assert.equal(out.rows.length, 10);
    assert.equal(out.truncated, true);
  }));

Deno.test("SqlBroker.query() opens only a declared database inside the skill's own data directory", () =>
  withBroker(async (broker, dir) => {
    await Deno.mkdir(`${dir}/skill-data/s`, { recursive: true });
    const own = new DatabaseSync(`${dir}/skill-data/s/notes.db`);
    own.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('one')");
    own.close();
    await Deno.symlink(`${dir}/agentos.db`, `${dir}/skill-data/s/graph.db`);
    const skill = {
      id: "s",
      connections: [
        connection({ name: "notes", sqlite: "notes.db" }),
        connection({ name: "sneaky", sqlite: "graph.db" }),
        connection({ name: "abs", sqlite: `${dir}/agentos.db` }),
      ],
    };
    const out = await broker.query(skill, {
      sql: "SELECT t FROM notes",
      db: "notes.db",
    });
    assert.deepEqual(out.rows, [{ t: "one" }]);
    assert.equal(out.target, "notes.db:notes");
    const viaConnection = await broker.query(skill, {
      sql: "SELECT t FROM notes",
      connection: "notes",
    });
    assert.deepEqual(viaConnection.rows, [{ t: "one" }]);
    await refused(
      broker.query(skill, { sql: "SELECT 1", db: "elsewhere.db" }),
      ErrorCode.Forbidden,
      /may query only the graph or a database its connections declare/,
    );
    // A host path is an application's database: only with the owner's --read grant.
    for (const db of ["/etc/passwd", "abs"]) {
      await refused(
        broker.query(skill, { sql: "SELECT * FROM secrets", db }),
        ErrorCode.Forbidden,
        /until the owner allows it: agentos skills allow s --read /,
      );
    }
    await refused(
      broker.query(skill, { sql: "SELECT * FROM secrets", db: "sneaky" }),
      ErrorCode.Forbidden,
      /is not inside it/,
    );
    const granted = { ...skill, reads: { paths: [`${dir}/skill-data/s`] } };
    const read = await broker.query(granted, {
      sql: "SELECT t FROM notes",
      db: `${dir}/skill-data/s/notes.db`,
    });
    assert.deepEqual(read.rows, [{ t: "one" }]);
    await refused(
      broker.query(granted, {
        sql: "SELECT 1",
        db: `${dir}/skill-data/s/../../agentos.db`,
      }),
      ErrorCode.Forbidden,
      /until the owner allows it/,
    );
  }));
