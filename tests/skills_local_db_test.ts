/**
 * `sql.query` on an application's own databases: refused until the owner
 * grants the path (with the exact command), `~` meaning the owner's home,
 * `attach=` of a second granted file, a database another process holds
 * locked read from a consistent copy (committed rows only), writes
 * refused, and no grant reaching into the engine's home.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { realPython } from "./_task_command.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";
import { within } from "./_wait.ts";

type Json = Record<string, unknown>;

Deno.test("sql.query reads a granted local database another process holds open", async (t) => {
  const owner = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-owner-home-" }),
  );
  const folder = `${owner}/.local/share/fakeapp`;
  const app = new Deno.Command(realPython(), {
    args: [
      new URL("./fixtures/app_db_holder.py", import.meta.url).pathname,
      folder,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = app.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const first = await within("the app to take its lock", lines.read());
    assert.equal(first.value?.trim(), "ready", "the app did not take its lock");

    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    await client.call("skills.add", { path: fixture("app-history") });
    const run = (tool: string, params: Json = {}) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "app-history",
        tool,
        params,
      }).then((r) => r.result);

    await t.step("refused until granted, naming the command", async () => {
      await rejectsWith(
        run("titles"),
        ErrorCode.SkillFailed,
        /until the owner allows it: agentos skills allow app-history --read ~\/\.local\/share\/fakeapp\/history\.db/,
      );
    });

    await t.step(
      "agentos skills allow --read grants a folder by its real path",
      async () => {
        const cli = await runAgentos(
          home,
          ["skills", "allow", "app-history", "--read", folder],
        );
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /may now read .*fakeapp with sql\.query/);
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const view = skills.find((s) => s.id === "app-history")!;
        assert.deepEqual(view.reads, [folder]);
        // The CLI sends the owner's HOME with a grant, so a skill's "~/…"
        // means it; this test's CLI runs without HOME, so set it over RPC.
        await client.call("skills.allow_read", {
          skill: "app-history",
          path: folder,
          home: owner,
        });
      },
    );

    await t.step(
      "a locked database is read from a copy: committed rows only",
      async () => {
        const { titles } = await run("titles");
        assert.deepEqual(titles, ["first", "second"]);
      },
    );

    await t.step("attach= joins a second granted database", async () => {
      const { rows } = await run("joined");
      assert.deepEqual(rows, [
        { title: "first", tag: "news" },
        { title: "second", tag: "docs" },
      ]);
    });

    await t.step("writes are refused", async () => {
      const { error } = await run("write");
      assert.match(error as string, /readonly|read-only|not authorized/i);
    });

    await t.step(
      "paths outside the grant, traversal and the engine's home stay closed",
      async () => {
        for (
          const db of [
            `${folder}/../secret.db`,
            "/etc/passwd",
            `${owner}/x.db`,
            // A sibling whose name begins with the granted folder's.
            `${folder}-other/history.db`,
          ]
        ) {
          await rejectsWith(
            run("titles", { db }),
            ErrorCode.SkillFailed,
            /until the owner allows it/,
          );
        }
        await rejectsWith(
          client.call("skills.allow_read", {
            skill: "app-history",
            path: `${home}/data`,
          }),
          ErrorCode.InvalidParams,
          /engine's home/,
        );
      },
    );
  } finally {
    await app.stdin.close().catch(() => {});
    await lines.cancel().catch(() => {});
    // The holder exits when its stdin closes; past the deadline it is
    // killed, and the test fails.
    await within("the app to exit", app.status, { timeoutMs: 10_000 }).catch(
      async (error) => {
        app.kill("SIGKILL");
        await app.status;
        throw error;
      },
    );
    await Deno.remove(owner, { recursive: true });
  }
});
