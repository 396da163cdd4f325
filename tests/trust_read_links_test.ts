/**
 * A `--read` grant holds against links: a skill that aims `sql.query` at
 * a file symlink, a directory symlink, a hard link, `..`, an `attach=`
 * link, a link through `/proc/self`, a SQLite URI name, a link swapped in and out during its calls, or the granted folder
 * itself replaced by a link, never opens the engine's own database (whose
 * `sqlite_master` names the `secrets` and `settings` tables) nor a file
 * outside what the owner granted; a real file in the folder still reads.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { realPython, REPO_ROOT } from "./_task_command.ts";

type Json = Record<string, unknown>;

const NAMES = "SELECT group_concat(name) AS names FROM sqlite_master";

/** Makes a SQLite file with one table of this name. */
async function makeDb(path: string, table: string): Promise<void> {
  const out = await new Deno.Command(realPython(), {
    args: [
      "-c",
      `import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute("CREATE TABLE ${table} (title TEXT)")\nc.execute("INSERT INTO ${table} VALUES ('x')")\nc.commit()`,
      path,
    ],
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
}

Deno.test("a --read grant: no link, hard link, race or replaced folder opens the engine's database", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-read-links-" }),
  );
  const granted = `${work}/granted`;
  await Deno.mkdir(granted);
  await makeDb(`${granted}/real.db`, "visits");
  await Deno.mkdir(`${work}/elsewhere`);
  await makeDb(`${work}/elsewhere/other.db`, "outside_the_grant");
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  const home = engine.paths.home;
  const engineDb = engine.paths.database;
  try {
    await client.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/read-thief`,
    });
    const cli = await runAgentos(home, [
      "skills",
      "allow",
      "read-thief",
      "--read",
      granted,
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const query = (params: Json) =>
      client.call<{ result: { rows: Json[]; error: string } }>("skills.run", {
        skill: "read-thief",
        tool: "query",
        params: { text: NAMES, ...params },
      }).then((r) => r.result);
    /**
     * Asserts the call was refused, or (a race) read the real file of the
     * grant: never the engine's tables, the outside one, or any other file.
     */
    const closed = async (what: string, params: Json, text = NAMES) => {
      const answer = await query({ ...params, text });
      const seen = JSON.stringify(answer.rows);
      assert.doesNotMatch(seen, /secrets|settings/, `${what}: ${seen}`);
      assert.doesNotMatch(seen, /outside_the_grant/, `${what}: ${seen}`);
      if (answer.error === "") {
        assert.deepEqual(
          answer.rows,
          [{ names: "visits" }],
          `${what}: ${seen}`,
        );
      }
      return answer;
    };

    await t.step("a real file in the granted folder reads", async () => {
      const answer = await query({ db: `${granted}/real.db` });
      assert.equal(answer.error, "");
      assert.deepEqual(answer.rows, [{ names: "visits" }]);
    });

    await t.step("a file symlink to the engine's database", async () => {
      await Deno.symlink(engineDb, `${granted}/link.db`);
      const answer = await closed("file link", { db: `${granted}/link.db` });
      assert.match(answer.error, /not a file inside the grant/);
    });

    await t.step("a directory symlink to the engine's data", async () => {
      await Deno.symlink(engine.paths.dataDir, `${granted}/dir`);
      await closed("dir link", { db: `${granted}/dir/agentos.db` });
      await Deno.symlink(`${work}/elsewhere`, `${granted}/out`);
      await closed("dir link out", { db: `${granted}/out/other.db` });
    });

    await t.step("`..` and a link inside it", async () => {
      for (
        const db of [
          `${granted}/../granted/real.db`,
          `${granted}/dir/../../granted/real.db`,
          `${granted}/dir/..`,
        ]
      ) {
        const answer = await closed(db, { db });
        assert.notEqual(answer.error, "");
      }
    });

    await t.step("a hard link to the engine's database", async () => {
      const linked = await Deno.link(engineDb, `${granted}/hard.db`).then(
        () => true,
        () => false, // another filesystem: no hard link possible
      );
      if (linked) {
        const answer = await closed("hard link", { db: `${granted}/hard.db` });
        assert.match(answer.error, /one of the engine's own files/);
      }
    });

    await t.step("attach= of a link", async () => {
      const answer = await closed("attach link", {
        db: `${granted}/real.db`,
        attach: { e: `${granted}/link.db` },
      }, "SELECT group_concat(name) AS names FROM e.sqlite_master");
      assert.notEqual(answer.error, "");
    });

    await t.step(
      "links through /proc/self, and SQLite URI names",
      async () => {
        // Magic links: resolved in the runner, where they name its own
        // files or the sandbox's root, never the engine's database.
        await Deno.symlink("/proc/self/fd/3", `${granted}/fd3.db`);
        await Deno.symlink(`/proc/self/root${engineDb}`, `${granted}/root.db`);
        await Deno.symlink(`/proc/1/root${engineDb}`, `${granted}/pid1.db`);
        for (const name of ["fd3.db", "root.db", "pid1.db"]) {
          const answer = await closed(name, { db: `${granted}/${name}` });
          assert.notEqual(answer.error, "", name);
          const attached = await closed(`attach ${name}`, {
            db: `${granted}/real.db`,
            attach: { e: `${granted}/${name}` },
          }, "SELECT group_concat(name) AS names FROM e.sqlite_master");
          assert.notEqual(attached.error, "", `attach ${name}`);
        }
        // A URI name (another mode, or a second file in its query) is a
        // name like any other: no such file in the grant.
        for (
          const db of [
            `file:${granted}/real.db?mode=rw`,
            `${granted}/real.db?mode=rw&vfs=unix-none`,
            `file:${engineDb}?immutable=1`,
          ]
        ) {
          const answer = await closed(db, { db });
          assert.notEqual(answer.error, "", db);
        }
      },
    );

    await t.step("a link swapped in and out during the calls", async () => {
      await makeDb(`${work}/race-real.db`, "visits");
      let swapping = true;
      const swapper = (async () => {
        let i = 0;
        while (swapping) {
          const next = `${granted}/.next-${i++}`;
          if (i % 2) await Deno.symlink(engineDb, next);
          else await Deno.copyFile(`${work}/race-real.db`, next);
          await Deno.rename(next, `${granted}/race.db`);
          await new Promise((r) => setTimeout(r, 1));
        }
      })();
      try {
        for (let i = 0; i < 12; i++) {
          await closed(`race ${i}`, { db: `${granted}/race.db` });
        }
      } finally {
        swapping = false;
        await swapper;
      }
    });

    await t.step("the granted folder itself replaced by a link", async () => {
      await Deno.rename(granted, `${work}/moved`);
      await Deno.symlink(engine.paths.dataDir, granted);
      const answer = await closed("replaced by data", {
        db: `${granted}/agentos.db`,
      });
      assert.match(answer.error, /leads into the engine's own home/);
      await Deno.remove(granted);
      await Deno.symlink(`${work}/elsewhere`, granted);
      const other = await closed("replaced by elsewhere", {
        db: `${granted}/other.db`,
      });
      assert.match(other.error, /no longer what the owner granted/);
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
