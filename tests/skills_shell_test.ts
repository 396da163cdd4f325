/**
 * `shell.run` end to end with a real git on a real repository: refused
 * until granted (with the exact command), run with an argv
 * array (a `;` is just an argument), writable only in the granted
 * directory, blind to the home and the engine's files, with no network,
 * no shells or interpreters ever, and audited without its output.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";
import { git, ownerRepository } from "./_git.ts";

type Json = Record<string, unknown>;

Deno.test("shell.run: a granted git, confined to its directory", async (t) => {
  let connections = 0;
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const conn of listener) {
      connections++;
      conn.close();
    }
  })().catch(() => {});
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-shell-" }),
  );
  try {
    const repo = `${work}/repo`;
    await Deno.mkdir(repo);
    await ownerRepository(repo);
    const marker = `${work}/keep-me`;
    await Deno.writeTextFile(marker, "still here");

    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    await client.call("skills.add", { path: fixture("git-tool") });
    const run = (tool: string, params: Json = {}) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool,
        params,
      }).then((r) => r.result);

    await t.step(
      "refused until the owner grants it, naming the command",
      async () => {
        await rejectsWith(
          run("log"),
          ErrorCode.SkillFailed,
          /until the owner allows it: agentos skills allow git-tool --run git/,
        );
      },
    );

    await t.step(
      "agentos skills allow --run resolves git and grants its directory",
      async () => {
        const cli = await runAgentos(
          home,
          [
            "skills",
            "allow",
            "git-tool",
            "--run",
            "git",
            "--cwd",
            "repo",
            "--write",
          ],
          undefined,
          { INIT_CWD: work },
        );
        assert.equal(cli.code, 0, cli.stderr);
        assert.match(cli.stdout, /may now run git \(\/usr\/bin\/git\)/);
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const view = skills.find((s) => s.id === "git-tool")!;
        const programs = view.programs as { name: string; granted: Json }[];
        assert.equal(programs[0]!.name, "git");
        assert.equal(programs[0]!.granted.cwd, repo);
      },
    );

    await t.step("git reads and writes the granted repository", async () => {
      const logged = await run("log");
      assert.equal(logged.exit_code, 0, logged.stderr as string);
      assert.match(logged.stdout as string, /first commit/);
      const committed = await run("commit", { message: "from the skill" });
      assert.equal(committed.exit_code, 0, committed.stderr as string);
      assert.match(await git(repo, "log", "--oneline"), /from the skill/);
    });

    await t.step(
      "arguments are an argv array: a shell command is just an argument",
      async () => {
        const out = await run("run_args", {
          args: ["log", `; rm -rf ${marker}`],
        });
        assert.notEqual(out.exit_code, 0);
        assert.match(
          out.stderr as string,
          /ambiguous argument|unknown revision/,
        );
        assert.equal(await Deno.readTextFile(marker), "still here");
      },
    );

    await t.step(
      "a working directory outside the grant is refused, traversal included",
      async () => {
        for (
          const cwd of [
            "../",
            `${repo}/../`,
            "/etc",
            `${repo}/../keep-me`,
            `${repo}-other`, // a sibling whose name begins with the grant's
          ]
        ) {
          await rejectsWith(
            run("run_args", { args: ["status"], cwd }),
            ErrorCode.SkillFailed,
            /may run "git" only in/,
          );
        }
      },
    );

    await t.step(
      "git cannot write outside its directory, nor see the home or the engine's files",
      async () => {
        // The host's /tmp (where this test's files are) is not the
        // program's: what it writes there stays in its private /tmp.
        const outside = `${work}/planted`;
        await run("run_args", { args: ["init", outside] });
        await assert.rejects(Deno.stat(outside), Deno.errors.NotFound);
        const system = await run("run_args", {
          args: ["init", "/etc/agentos-planted"],
        });
        assert.notEqual(system.exit_code, 0);
        assert.match(system.stderr as string, /Read-only file system/);
        await assert.rejects(
          Deno.stat("/etc/agentos-planted"),
          Deno.errors.NotFound,
        );
        for (
          const secret of [
            `${home}/data/agentos.db`,
            `${marker}`,
            "/etc/shadow",
          ]
        ) {
          const read = await run("run_args", {
            args: ["diff", "--no-index", "--stat", secret, "/dev/null"],
          });
          assert.doesNotMatch(
            read.stdout as string,
            /\|\s+\d+ [-+]/,
            `git read ${secret}`,
          );
        }
      },
    );

    await t.step("no network unless granted", async () => {
      const port = (listener.addr as Deno.NetAddr).port;
      const out = await run("run_args", {
        args: ["ls-remote", `http://127.0.0.1:${port}/repo.git`],
      });
      assert.notEqual(out.exit_code, 0);
      assert.equal(connections, 0);
    });

    await t.step(
      "ungranted programs, paths outside the program directories, shells and interpreters are never run",
      async () => {
        await rejectsWith(
          run("run_other", { binary: "ls" }),
          ErrorCode.SkillFailed,
          /may not run "ls" until the owner allows it: agentos skills allow git-tool --run ls/,
        );
        await rejectsWith(
          run("run_other", { binary: "/opt/git" }),
          ErrorCode.SkillFailed,
          /its full path in the program directories/,
        );
        const bash = await runAgentos(home, [
          "skills",
          "allow",
          "git-tool",
          "--run",
          "bash",
        ]);
        assert.equal(bash.code, 1);
        assert.match(bash.stderr, /runs other programs or code/);
        await rejectsWith(
          client.call("skills.allow_run", {
            skill: "git-tool",
            program: "git",
            path: "/usr/bin/python3.11",
          }),
          ErrorCode.InvalidParams,
          /runs other programs or code/,
        );
      },
    );

    await t.step(
      "the audit names the program and exit code, never its output",
      async () => {
        const audit = await Deno.readTextFile(`${home}/logs/engine-io.jsonl`);
        const lines = audit.trim().split("\n").map((l) => JSON.parse(l))
          .filter((l) => l.op === "shell.run" && l.status === "ok");
        assert.ok(lines.length >= 3);
        assert.equal(lines[0].target, "git");
        assert.equal(lines[0].checks.granted, "/usr/bin/git");
        assert.ok(
          !audit.includes("first commit"),
          "the audit holds git's output",
        );
      },
    );

    await t.step("disallow takes it back", async () => {
      const cli = await runAgentos(home, [
        "skills",
        "disallow",
        "git-tool",
        "--run",
        "git",
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      await rejectsWith(
        run("log"),
        ErrorCode.SkillFailed,
        /until the owner allows it/,
      );
    });
  } finally {
    listener.close();
    await accepting;
    await Deno.remove(work, { recursive: true });
  }
});
