/**
 * A hostile skill granted git (with a writable repository) tries every way
 * git has to run other code, in its sandbox or later outside it as the
 * owner: `-c alias.x=!…`, `--config-env`, `--exec-path`, `--upload-pack`
 * (abbreviated, bundled), `--receive-pack`, `ext::`, a config write, and
 * config or hooks written into `.git/` for the owner's next `git status`.
 * Nothing runs: each is refused by the program's rules, or meets git's
 * locked environment, or a read-only `.git/config`, `.git/hooks` and
 * `.git/info` (each layer has a step that fails when only it is gone).
 * Real engine, real sandboxed worker, real bubblewrap, real git.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";
import { git, ownerRepository } from "./_git.ts";

type Json = Record<string, unknown>;

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("shell.run: a granted git runs no other code, inside or later outside", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-programs-" }),
  );
  try {
    const repo = `${work}/repo`;
    await Deno.mkdir(repo);
    await ownerRepository(repo);
    // The owner's repository allows every transport (as some setups do):
    // only the locked environment stands between a skill and ext::.
    await git(repo, "config", "protocol.allow", "always");
    // The owner's own hook, which a skill's git must not run either.
    await Deno.writeTextFile(
      `${repo}/.git/hooks/post-commit`,
      "#!/bin/sh\ntouch pwned-owner-hook\n",
      { mode: 0o755 },
    );
    // And the owner's fsmonitor: the skill's git must not run it either.
    await git(repo, "config", "core.fsmonitor", "touch pwned-owner-fsmonitor");
    const ownerConfig = await Deno.readTextFile(`${repo}/.git/config`);

    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    await client.call("skills.add", { path: fixture("git-tool") });
    const granted = await runAgentos(
      engine.paths.home,
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
    assert.equal(granted.code, 0, granted.stderr);
    const run = (args: string[], input?: string) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_args",
        params: { args, ...(input === undefined ? {} : { input }) },
      }).then((r) => r.result);
    const refused = (args: string[], input?: string) =>
      rejectsWith(
        run(args, input),
        ErrorCode.SkillFailed,
        /may not run git with .*: git runs programs/,
      );
    const nothingRan = async (name: string) =>
      assert.equal(await exists(`${repo}/${name}`), false, `${name} ran`);

    await t.step(
      "an alias given with -c is refused and runs nothing",
      async () => {
        await refused(["-c", "alias.x=!touch pwned-alias", "x"]);
        await nothingRan("pwned-alias");
      },
    );

    await t.step(
      "--config-env, --exec-path, --git-dir, --work-tree and unknown subcommands are refused",
      async () => {
        await refused(["--config-env=alias.y=HOME", "y"]);
        await refused(["--exec-path=/tmp", "version"]);
        await refused(["--work-tree=.git", "status"]);
        await refused(["--git-dir=/tmp/other", "status"]);
        await refused(["x"]); // an alias from any config
        await refused(["submodule", "foreach", "touch pwned-submodule"]);
      },
    );

    await t.step(
      "--upload-pack and --receive-pack are refused in every spelling",
      async () => {
        await refused(["ls-remote", "--upload-pack=touch pwned-upload", "."]);
        await refused(["ls-remote", "--upload-p=touch pwned-upload", "."]);
        await refused(["clone", "-qutouch pwned-upload", ".", "/tmp/c"]);
        await refused(["fetch", "--exec=touch pwned-upload", "."]);
        await refused([
          "push",
          "--receive-pack=touch pwned-receive",
          ".",
          "HEAD:refs/heads/x",
        ]);
        await nothingRan("pwned-upload");
        await nothingRan("pwned-receive");
      },
    );

    await t.step(
      "ext:: is refused by git's locked environment, whatever the repository allows",
      async () => {
        const out = await run(["ls-remote", "ext::sh -c touch% pwned-ext"]);
        assert.notEqual(out.exit_code, 0);
        assert.match(out.stderr as string, /transport 'ext' not allowed/);
        await nothingRan("pwned-ext");
      },
    );

    await t.step(
      "the owner's hooks and fsmonitor do not run in the skill's git",
      async () => {
        const status = await run(["status"]);
        assert.equal(status.exit_code, 0, status.stderr as string);
        const out = await run(["commit", "--allow-empty", "-m", "by skill"]);
        assert.equal(out.exit_code, 0, out.stderr as string);
        await nothingRan("pwned-owner-hook");
        await nothingRan("pwned-owner-fsmonitor");
      },
    );

    const hookScript = `#!/bin/sh\ntouch ${work}/owner-ran-hook\n`;
    const fsmonitorConfig =
      `${ownerConfig}[core]\n\tfsmonitor = touch ${work}/owner-ran-fsmonitor\n`;

    await t.step(
      "config writes and files placed into .git/ are refused",
      async () => {
        await refused([
          "config",
          "core.fsmonitor",
          `touch ${work}/owner-ran-fsmonitor`,
        ]);
        await refused(["config", "--add", "core.hooksPath", "/tmp"]);
        for (
          const [content, mode, name, prefix] of [
            [fsmonitorConfig, "100644", "config", ".git/"],
            [hookScript, "100755", "post-index-change", ".git/hooks/"],
          ] as const
        ) {
          const hashed = await run(["hash-object", "-w", "--stdin"], content);
          const sha = (hashed.stdout as string).trim();
          assert.match(sha, /^[0-9a-f]{40}$/, hashed.stderr as string);
          const added = await run([
            "update-index",
            "--add",
            "--cacheinfo",
            `${mode},${sha},${name}`,
          ]);
          assert.equal(added.exit_code, 0, added.stderr as string);
          await refused(["checkout-index", "-f", `--prefix=${prefix}`, name]);
          await refused(["diff", `--output=${prefix}${name}`]);
        }
      },
    );

    await t.step(
      ".git/config, .git/hooks and .git/info are read-only even to git commands the rules allow",
      async () => {
        const remote = await run(["remote", "add", "planted", "/tmp"]);
        assert.notEqual(remote.exit_code, 0);
        // A bind over .git/config: git's rename of config.lock over it fails.
        assert.match(
          remote.stderr as string,
          /Read-only file system|Device or resource busy/,
        );
        for (const dir of ["hooks", "info"]) {
          const init = await run(["init", "-q", `.git/${dir}/planted`]);
          assert.notEqual(init.exit_code, 0, `.git/${dir} is writable`);
          assert.equal(await exists(`${repo}/.git/${dir}/planted`), false);
        }
        assert.equal(
          await Deno.readTextFile(`${repo}/.git/config`),
          ownerConfig,
        );
      },
    );

    await t.step(
      "the owner's next git status and commit, outside, run nothing the skill left",
      async () => {
        await git(repo, "status");
        await git(repo, "commit", "-q", "--allow-empty", "-m", "owner");
        assert.equal(await exists(`${work}/owner-ran-hook`), false);
        assert.equal(await exists(`${work}/owner-ran-fsmonitor`), false);
        assert.equal(
          await exists(`${repo}/.git/hooks/post-index-change`),
          false,
        );
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
