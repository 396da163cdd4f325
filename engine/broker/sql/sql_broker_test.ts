import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ErrorCode, RpcError } from "../../errors.ts";
import type { ConnectionInfo } from "../../skills/mod.ts";
import { waitFor } from "../../../tests/_wait.ts";
import { connection, withBroker } from "./_sql_test_broker.ts";

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

Deno.test("SqlBroker.query() reads the graph read-only: SQLite itself refuses writes, and the vault (both credential tables) and settings stay out of reach", () =>
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
        "SELECT skill, identifier FROM skill_secrets",
        "SELECT name, sum(payload) FROM dbstat GROUP BY name",
        // Skill-keyed credentials, in a table of their own since schema 7.
        "SELECT skill, fields, nonce, ciphertext FROM skill_secrets",
        "SELECT value FROM settings",
        "PRAGMA query_only = OFF",
        "ATTACH '/tmp/x.db' AS x",
        // Writes a copy through an ATTACH of its own.
        "VACUUM INTO '/tmp/agentos-vacuum-copy.db'",
        "SELECT load_extension('x')",
      ]
    ) {
      await refused(
        broker.query(SKILL, { sql }),
        ErrorCode.SkillFailed,
        /SQLite refused the query on graph: .*(prohibited|not authorized|authorization denied)/,
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
    // A --read grant that lies in the engine's home (which skills.allow_read
    // refuses) is refused again by the runner, whatever the settings hold.
    const granted = { ...skill, reads: { paths: [`${dir}/skill-data/s`] } };
    await refused(
      broker.query(granted, {
        sql: "SELECT t FROM notes",
        db: `${dir}/skill-data/s/notes.db`,
      }),
      ErrorCode.Forbidden,
      /leads into the engine's own home/,
    );
    await refused(
      broker.query(granted, {
        sql: "SELECT 1",
        db: `${dir}/skill-data/s/../../agentos.db`,
      }),
      ErrorCode.Forbidden,
      /until the owner allows it/,
    );
  }));

/** Host pids of this process's running query runners (interpreters whose argv holds the runner's text). */
/**
 * The query runners of the broker whose home is `home`: test files run in
 * parallel in one process, so the cgroup tree's pid alone would also count
 * another test's runners; a runner's mount table names its own home (the
 * database is bound from it).
 */
async function runners(home: string): Promise<number[]> {
  const tag = home.slice(home.lastIndexOf("/") + 1);
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const argv = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(
      () => "",
    );
    // The launcher shell and bubblewrap carry the same text in their argv.
    const comm = await Deno.readTextFile(`/proc/${entry.name}/comm`).catch(
      () => "",
    );
    // Only this process's runners (their cgroup tree names its pid).
    const cgroup = await Deno.readTextFile(`/proc/${entry.name}/cgroup`)
      .catch(() => "");
    if (
      argv.includes("def drop_capabilities") && comm.startsWith("python") &&
      cgroup.includes(`-${Deno.pid}/c`) &&
      (await Deno.readTextFile(`/proc/${entry.name}/mountinfo`).catch(() => ""))
        .includes(tag)
    ) {
      found.push(Number(entry.name));
    }
  }
  return found;
}

Deno.test("SqlBroker.query() runs each query sandboxed like a worker, at most 4 at once: its own mount namespace and cgroup, seccomp, no capabilities, nobody outside under a root engine", () =>
  withBroker(async (broker, dir) => {
    const spin =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    const queries = Array.from(
      { length: 6 },
      () => broker.query(SKILL, { sql: spin }).catch((error) => error),
    );
    const pids = await waitFor("query runners to spin", async () => {
      const found = await runners(dir);
      return found.length > 0 ? found : undefined;
    });
    let most = 0;
    const ownMounts = await Deno.readLink("/proc/self/ns/mnt");
    for (const pid of pids) {
      // A root engine's runner opens the database with CAP_DAC_READ_SEARCH
      // and drops it before the query runs: the spin sees none.
      const status = await waitFor(
        `runner ${pid} to drop its capabilities`,
        async () => {
          const text = await Deno.readTextFile(`/proc/${pid}/status`).catch(
            () => "",
          );
          return text === "" || /^CapEff:\s+0+$/m.test(text) ? text : false;
        },
        { timeoutMs: 10_000 },
      );
      if (status === "") continue; // already done
      const field = (name: string) =>
        status.match(new RegExp(`^${name}:\\s+(.+)$`, "m"))?.[1]?.trim();
      assert.equal(field("Seccomp"), "2");
      assert.equal(field("NoNewPrivs"), "1");
      assert.equal(field("CapEff"), "0000000000000000");
      if (Deno.uid() === 0) {
        assert.deepEqual(field("Uid")?.split(/\s+/), [
          "65534",
          "65534",
          "65534",
          "65534",
        ]);
      }
      assert.notEqual(await Deno.readLink(`/proc/${pid}/ns/mnt`), ownMounts);
      const cgroup = await Deno.readTextFile(`/proc/${pid}/cgroup`);
      assert.match(cgroup, /:pids:.*\/agentos-[0-9a-f]+-\d+\/c\d+$/m);
    }
    // Counts the runners until every query has settled (each times out
    // after 2 s; six of them, four at a time, end well within the deadline).
    let settled = false;
    void Promise.all(queries).then(() => settled = true);
    await waitFor(
      "every query to settle",
      async () => {
        most = Math.max(most, (await runners(dir)).length);
        return settled;
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    assert.ok(most <= 4, `${most} runners at once`);
    for (const outcome of await Promise.all(queries)) {
      assert.ok(outcome instanceof RpcError);
      assert.equal(outcome.code, ErrorCode.Timeout);
    }
  }, 2));
