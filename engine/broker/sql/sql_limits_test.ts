/**
 * Two of the SQL broker's limits on their own, through a real sandboxed
 * runner: a skill's declared database must lie inside its own data
 * directory (not in a sibling whose name begins the same), and no query
 * returns more than 10 000 rows whatever `limit` it asks for.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../../graph/mod.ts";
import { ErrorCode, RpcError } from "../../errors.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { SqlBroker } from "./mod.ts";
import { realPython } from "../../../tests/_task_command.ts";
import { Sandbox } from "../../sandbox/mod.ts";
import { PYTHON_SOURCE_DIR } from "../../runtime_layout.ts";

function connection(name: string, sqlite: string): ConnectionInfo {
  return {
    name,
    sqlite,
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
  };
}

async function withBroker(
  fn: (broker: SqlBroker, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const graph = openDatabase(`${dir}/agentos.db`);
  const sandbox = await Sandbox.open({
    python: realPython(),
    sdkDir: PYTHON_SOURCE_DIR,
    env: () => undefined,
    filterPath: `${dir}/seccomp.bpf`,
  });
  try {
    await fn(
      new SqlBroker({
        sandbox,
        graphPath: `${dir}/agentos.db`,
        skillDataDir: `${dir}/skill-data`,
        engineHome: dir,
        timeoutS: 20,
      }),
      dir,
    );
  } finally {
    await sandbox.close();
    graph.close();
    await Deno.remove(dir, { recursive: true });
  }
}

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
        connection("own", "notes.db"),
        connection("sibling", "../skill2/notes.db"),
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
  }));

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
  }));
