/**
 * Every path a user gives the CLI means the directory they ran it from
 * (`INIT_CWD`, which the launchers set), never the checkout `deno task`
 * runs in; and a backup is one private file with nothing left beside it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer } from "./skills_helpers.ts";

Deno.test("CLI path arguments resolve against the caller's directory; backups are 0600 and alone", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "agentos-caller-" });
  const home = await Deno.makeTempDir({ prefix: "agentos-test-" });
  const server = localServer(() => Response.json({ ok: true }));
  const cli = (...args: string[]) =>
    runAgentos(home, args, undefined, { INIT_CWD: work });
  try {
    {
      await using engine = await EngineProcess.start({
        home,
        env: {
          AGENTOS_SPARE_WORKERS: "0",
          AGENTOS_ORIGIN_MAP: JSON.stringify({
            "https://api.keyed.test": server.origin,
          }),
        },
      });
      const client = await engine.client();
      await client.call("skills.add", { path: fixture("keyed-api") });
      await client.call("secrets.set", {
        domain: "keyed.test",
        value: { key: "k-cli-paths-0123" },
      });

      await t.step("skills test --record and --replay FILE", async () => {
        let run = await cli(
          "skills",
          "test",
          "keyed-api",
          "--record",
          "tape.json",
        );
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.ok((await Deno.stat(join(work, "tape.json"))).isFile);
        await assert.rejects(Deno.stat(join(REPO_ROOT, "tape.json")));
        run = await cli("skills", "test", "keyed-api", "--replay", "tape.json");
        assert.equal(run.code, 0, run.stdout + run.stderr);
        run = await cli("skills", "test", "keyed-api", "--replay", "nope.json");
        assert.equal(run.code, 1);
        assert.match(run.stderr, new RegExp(`"${work}/nope\\.json"`));
      });

      await t.step(
        "backup FILE writes a 0600 file and nothing else",
        async () => {
          const run = await cli("backup", "saved.db", "--no-key");
          assert.equal(run.code, 0, run.stderr);
          const info = await Deno.stat(join(work, "saved.db"));
          assert.equal(info.mode! & 0o777, 0o600);
          const left = [...Deno.readDirSync(work)].map((e) => e.name).sort();
          assert.deepEqual(left, ["saved.db", "tape.json"]);
          const kept = [...Deno.readDirSync(join(home, "backups"))];
          assert.deepEqual(kept.map((e) => e.name), []);
          const inHome = await cli("backup", "--no-key");
          assert.equal(inHome.code, 0, inHome.stderr);
          for (const entry of Deno.readDirSync(join(home, "backups"))) {
            assert.doesNotMatch(entry.name, /partial|-wal|-shm/);
            const mode = Deno.statSync(join(home, "backups", entry.name)).mode!;
            assert.equal(mode & 0o777, 0o600, entry.name);
          }
        },
      );
    }

    await t.step("restore FILE reads the caller's file", async () => {
      const run = await cli("restore", "saved.db");
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, new RegExp(`Restored ${work}/saved\\.db`));
    });
  } finally {
    await server[Symbol.asyncDispose]();
    await Deno.remove(work, { recursive: true });
    await Deno.remove(home, { recursive: true });
  }
});
