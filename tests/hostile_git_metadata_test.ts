/**
 * A hostile skill granted `git --cwd <repo>` (with `--write` unless said)
 * tries to leave code behind that the owner's own git runs later, outside
 * any sandbox, or to give its own git a shell, with only subcommands the
 * rules allow (#25, item 2):
 *
 * - a `git config` write that names a read form among its arguments
 *   (`git config --file F a.b list`: "list" is the value);
 * - `.git/commondir`, which the owner's git follows to another common
 *   directory and reads its config from: checked out with `.git` itself
 *   as a work tree (`git -C .git init`), or written by `git bundle create`;
 * - a crafted git directory (a clone whose work tree is `sub/.git`)
 *   registered as a submodule, which the owner's `git status` enters, or
 *   used by the skill's own git (`core.sshCommand`);
 * - a bare repository committed into a read-only grant;
 * - a rebase todo cloned into `.git/rebase-merge` (`exec` at the owner's
 *   `git rebase --continue`);
 * - a crafted `commondir` moved into a nested `.git` with `git mv`.
 * - a nested repository's config written with `--output` after a
 *   command that reads revisions (`reflog show --format=… --output=…`).
 * - a nested repository's config rewritten by `git -C sub/.git apply`.
 *
 * Real engine, real sandboxed worker, real bubblewrap, real git; the
 * owner's git is the host's.
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

/** A granted git with a writable repository, and a way to run it as the skill. */
async function grantedGit(
  work: string,
  prepare?: (repo: string) => Promise<void>,
  write = true,
) {
  const repo = `${work}/repo`;
  await Deno.mkdir(repo);
  await ownerRepository(repo);
  await prepare?.(repo);
  const engine = await EngineProcess.start({
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
      ...(write ? ["--write"] : []),
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
  /** Runs git as the skill and returns its stdout, failing on a non-zero exit. */
  const ok = async (args: string[], input?: string) => {
    const out = await run(args, input);
    assert.equal(
      out.exit_code,
      0,
      `git ${args.join(" ")}: ${out.stderr as string}`,
    );
    return (out.stdout as string).trim();
  };
  return { engine, repo, run, ok };
}

/**
 * Objects the skill writes into the repository with allowed plumbing: a
 * tree that looks like a git directory whose config runs `command` as
 * its `core.<key>` (fsmonitor unless told), under `prefix` (or at the
 * root), and `files` beside it.
 */
async function craftedGitDir(
  ok: (args: string[], input?: string) => Promise<string>,
  command: string,
  prefix: string | undefined,
  files: Record<string, string> = {},
  key = "fsmonitor",
): Promise<string> {
  const blob = (text: string) => ok(["hash-object", "-w", "--stdin"], text);
  const config = await blob(
    `[core]\n\trepositoryformatversion = 0\n\t${key} = "${command}; false"\n`,
  );
  const head = await blob("ref: refs/heads/m\n");
  const keep = await blob("");
  const placeholder = await ok(["mktree"], `100644 blob ${keep}\t.keep\n`);
  let tree = await ok(
    ["mktree"],
    `100644 blob ${config}\tconfig\n100644 blob ${head}\tHEAD\n` +
      `040000 tree ${placeholder}\tobjects\n040000 tree ${placeholder}\trefs\n`,
  );
  if (prefix !== undefined) {
    let entries = `040000 tree ${tree}\t${prefix}\n`;
    for (const [name, text] of Object.entries(files)) {
      entries += `100644 blob ${await blob(text)}\t${name}\n`;
    }
    tree = await ok(["mktree"], entries);
  }
  const commit = await ok(["commit-tree", tree, "-m", "crafted"]);
  await ok(["update-ref", "refs/heads/crafted", commit]);
  return commit;
}

Deno.test("shell.run: a git config write is refused whatever read form its arguments name", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const refused = (args: string[]) =>
      rejectsWith(
        run(args),
        ErrorCode.SkillFailed,
        /may not run git with .*: git runs programs/,
      );
    // The value "list" satisfied the old check (any argument a read form).
    await refused([
      "config",
      "--file",
      "planted.cfg",
      "core.fsmonitor",
      "list",
    ]);
    await refused(["config", "core.hooksPath", "get"]);
    await refused([
      "config",
      "--file",
      "planted.cfg",
      "core.fsmonitor",
      `touch ${work}/ran; false`,
      "list",
    ]);
    // A repository the skill makes deeper: its config is no more writable.
    await ok(["init", "-q", "sub"]);
    await refused(["-C", "sub", "config", "core.fsmonitor", "x", "--list"]);
    assert.equal(await exists(`${repo}/planted.cfg`), false);
    assert.doesNotMatch(
      await Deno.readTextFile(`${repo}/sub/.git/config`),
      /fsmonitor|hooksPath/,
    );
    // The read forms still read.
    assert.match(await ok(["config", "--get", "user.name"]), /Owner/);
    assert.match(await ok(["config", "--list"]), /user\.email=/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: .git/commondir left in a writable grant never reaches the owner's git", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-commondir`;

    await t.step(
      "a .git made a work tree of its own (init, fetch, checkout of a crafted commondir)",
      async () => {
        await craftedGitDir(ok, `touch ${marker}`, "x", { commondir: "x\n" });
        // `.git` as the work tree of a repository of its own: a checkout
        // would then write any file into `.git` but the read-only ones.
        const init = await run(["-C", ".git", "init", "-q"]);
        assert.equal(init.exit_code, 71, init.stderr as string);
        assert.equal(await exists(`${repo}/.git/.git`), false);
      },
    );

    await t.step(
      "a file written straight at .git/commondir (git bundle create)",
      async () => {
        // Any content there sends the owner's git elsewhere (here a
        // bundle: it stops working at all).
        await ok(["bundle", "create", ".git/commondir", "HEAD"]);
        assert.equal(
          await exists(`${repo}/.git/commondir`),
          false,
          ".git/commondir landed in the owner's repository",
        );
      },
    );

    await git(repo, "status");
    assert.equal(await exists(marker), false, "the owner's git ran fsmonitor");
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/** A clone whose work tree is `dest` (inside a `.git`): refused, nothing lands. */
async function cloneRefused(
  run: (args: string[]) => Promise<Json>,
  dest: string,
): Promise<void> {
  const out = await run([
    "clone",
    "-q",
    "--no-hardlinks",
    "-b",
    "crafted",
    ".",
    dest,
  ]);
  assert.equal(out.exit_code, 71, out.stderr as string);
  assert.match(
    out.stderr as string,
    /made a repository inside a \.git folder; nothing of this call lands/,
  );
}

Deno.test("shell.run: a crafted git directory deeper in a writable grant, registered as a submodule, never runs code at the owner's git status", async () => {
  // With allowed subcommands only a skill builds a tree that looks like a
  // git directory (config with core.fsmonitor, HEAD, objects/, refs/),
  // clones it with `sub/.git` as the clone's work tree and registers `sub`
  // as a gitlink: the owner's `git status` would enter the submodule and
  // run its fsmonitor. The copy-back refuses the clone.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-submodule`;
    const commit = await craftedGitDir(ok, `touch ${marker}`, undefined);
    await cloneRefused(run, "sub/.git");
    assert.equal(await exists(`${repo}/sub`), false);
    await ok(["update-index", "--add", "--cacheinfo", `160000,${commit},sub`]);
    await git(repo, "status");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git ran the submodule's fsmonitor",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a crafted git directory in a writable grant never gives the skill's git a shell in its sandbox", async () => {
  // The same crafted git directory with `core.sshCommand`, then
  // `git -C sub ls-remote ssh://h/x` would run it through /bin/sh in the
  // program's sandbox (GIT_CONFIG_COUNT pins only core.hooksPath,
  // core.fsmonitor and safe.bareRepository; diff.external,
  // credential.helper and filters would work alike).
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    await craftedGitDir(ok, "touch ran-shell", undefined, {}, "sshCommand");
    await cloneRefused(run, "sub/.git");
    await run(["-C", "sub", "ls-remote", "ssh://h/x"]);
    assert.equal(
      await exists(`${repo}/sub/ran-shell`),
      false,
      "the skill's git ran core.sshCommand through a shell",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a bare repository embedded in a read-only grant gives the skill's git no config of its own", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    // A repository the owner cloned from someone else: a committed folder
    // that looks like a bare repository, its config running a command.
    const plant = async (repo: string) => {
      await Deno.mkdir(`${repo}/evil/objects`, { recursive: true });
      await Deno.mkdir(`${repo}/evil/refs`);
      await Deno.writeTextFile(`${repo}/evil/objects/.keep`, "");
      await Deno.writeTextFile(`${repo}/evil/refs/.keep`, "");
      await Deno.writeTextFile(`${repo}/evil/HEAD`, "ref: refs/heads/m\n");
      await Deno.writeTextFile(
        `${repo}/evil/config`,
        '[core]\n\trepositoryformatversion = 0\n\tsshCommand = "echo RAN-IN-SHELL >&2; false"\n',
      );
      await git(repo, "add", "-A");
      await git(repo, "commit", "-q", "-m", "vendored");
      if (Deno.uid() === 0) {
        await new Deno.Command("chown", {
          args: ["-R", "65534:65534", repo],
        }).output();
      }
    };
    const { engine, run } = await grantedGit(work, plant, false);
    await using _engine = engine;
    // Git finds `evil` itself a git directory before the repository above
    // it, unless bare repositories are used only when named (--git-dir,
    // which the rules refuse): then it refuses `evil`.
    const out = await run(["-C", "evil", "ls-remote", "ssh://h/x"]);
    assert.doesNotMatch(out.stderr as string, /RAN-IN-SHELL/);
    const inside = await run(["-C", "evil", "status", "--short"]);
    assert.notEqual(inside.exit_code, 0);
    assert.match(inside.stderr as string, /cannot use bare repository/);
    const status = await run(["status", "--short"]);
    assert.equal(status.exit_code, 0, status.stderr as string);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

/** Runs the owner's git outside any sandbox, whatever it exits with. */
async function ownerGit(repo: string, ...args: string[]): Promise<void> {
  await new Deno.Command("git", {
    args: ["-c", "safe.directory=*", ...args],
    cwd: repo,
    stdout: "null",
    stderr: "null",
  }).output();
}

/**
 * A rebase in progress whose todo runs `command`, as files of a tree the
 * skill commits (under `prefix`, or at the root) and checks out.
 */
async function craftedRebase(
  ok: (args: string[], input?: string) => Promise<string>,
  command: string,
  prefix: string | undefined,
): Promise<string> {
  const head = await ok(["rev-parse", "HEAD"]);
  const branch = await ok(["symbolic-ref", "HEAD"]);
  const files: Record<string, string> = {
    "git-rebase-todo": `exec ${command}\n`,
    "head-name": `${branch}\n`,
    onto: `${head}\n`,
    "orig-head": `${head}\n`,
    interactive: "",
    end: "1\n",
    msgnum: "0\n",
  };
  let entries = "";
  for (const [name, text] of Object.entries(files)) {
    const blob = await ok(["hash-object", "-w", "--stdin"], text);
    entries += `100644 blob ${blob}\t${name}\n`;
  }
  let tree = await ok(["mktree"], entries);
  if (prefix !== undefined) {
    tree = await ok(["mktree"], `040000 tree ${tree}\t${prefix}\n`);
  }
  return await ok(["commit-tree", tree, "-p", "HEAD", "-m", "state"]);
}

Deno.test("shell.run: a rebase todo cloned into .git never runs at the owner's git rebase --continue", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-rebase-exec`;
    // A clone whose work tree is .git/rebase-merge: its files are the
    // checked-out state of a rebase whose todo runs a command.
    const commit = await craftedRebase(ok, `touch ${marker}`, undefined);
    await ok(["update-ref", "refs/heads/crafted", commit]);
    await cloneRefused(run, ".git/rebase-merge");
    assert.equal(
      await exists(`${repo}/.git/rebase-merge/git-rebase-todo`),
      false,
      "the crafted rebase state landed",
    );
    await ownerGit(repo, "status");
    await ownerGit(repo, "rebase", "--continue");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git rebase --continue ran the skill's exec line",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a file moved into a nested .git never makes the owner's git status run code", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-moved-commondir`;
    // evil/: a checked-out folder that looks like a git directory;
    // cd: a file naming it, to become sub/.git/commondir.
    const commit = await craftedGitDir(ok, `touch ${marker}`, "evil", {
      cd: "../../evil\n",
    });
    await ok(["reset", "-q", "--hard", commit]);
    await ok(["init", "-q", "sub"]);
    // `git mv` renamed on the disk before it refused the path in the
    // index: it is no longer a subcommand a skill may run.
    await rejectsWith(
      run(["mv", "cd", "sub/.git/commondir"]),
      ErrorCode.SkillFailed,
      /may not run git with "mv": git runs programs/,
    );
    await run([
      "update-index",
      "--add",
      "--cacheinfo",
      `160000,${commit},sub`,
    ]);
    await ownerGit(repo, "status");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git ran the moved commondir's fsmonitor",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a nested repository's config written with --output never runs code at the owner's git status", async () => {
  // Every git command that reads revisions takes the diff options, so
  // `--output=<file>` writes its output at a path of the skill's choosing,
  // and `--format` makes that output any text: `git reflog show -n1
  // --format='[core]%n…' --output=sub/.git/config` wrote a config running
  // `core.fsmonitor` into a clone the skill made deeper (whose config is
  // not one of the read-only names), and `sub` registered as a gitlink
  // made the owner's `git status` enter it and run the command.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-output-config`;
    const config = `[core]%n\trepositoryformatversion = 0%n\t` +
      `fsmonitor = "touch ${marker}; false"%n`;
    await ok(["clone", "-q", "--no-hardlinks", ".", "sub"]);
    const head = await ok(["rev-parse", "HEAD"]);
    const writers = [
      ["reflog", "show", "-n1", `--format=${config}`],
      ["stash", "list", `--format=${config}`],
      ["shortlog", `--format=${config}`, "HEAD"],
      ["rev-list", "--no-commit-header", `--format=${config}`, "-1", "HEAD"],
    ];
    await ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
    const refusals: string[] = [];
    for (const args of writers) {
      await run([...args, "--output=sub/.git/config"]).catch((error) => {
        if (/may not run git with .*: git runs programs/.test(error.message)) {
          refusals.push(args[0]!);
        }
      });
      await ownerGit(repo, "status");
      assert.equal(
        await exists(marker),
        false,
        `the owner's git ran the fsmonitor the skill wrote with git ${
          args[0]
        } --output`,
      );
    }
    assert.doesNotMatch(
      await Deno.readTextFile(`${repo}/sub/.git/config`),
      /fsmonitor/,
    );
    assert.deepEqual(refusals, writers.map((args) => args[0]));
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: git apply run inside a git directory never writes its config for the owner's git status", async () => {
  // `git apply` needs no repository and writes paths relative to where it
  // runs: run with `-C sub/.git` (or `.git`), a patch's `config` is that
  // git directory's config, which git refuses only as `.git/config` from
  // a work tree. The skill reads the config with `git diff --no-index`,
  // turns it into a patch that deletes it and writes one running
  // `core.fsmonitor`, and registers `sub` as a gitlink: the owner's
  // `git status` entered it and ran the command.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, run, ok } = await grantedGit(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-applied-config`;
    await ok(["clone", "-q", "--no-hardlinks", ".", "sub"]);
    const head = await ok(["rev-parse", "HEAD"]);
    const removal = await run([
      "diff",
      "--no-index",
      "sub/.git/config",
      "/dev/null",
    ]);
    const patch = (removal.stdout as string)
      .replaceAll("a/sub/.git/config", "a/config")
      .replaceAll("b/sub/.git/config", "b/config") +
      "diff --git a/config b/config\nnew file mode 100644\n--- /dev/null\n" +
      "+++ b/config\n@@ -0,0 +1,2 @@\n+[core]\n" +
      `+\tfsmonitor = "touch ${marker}; false"\n`;
    await ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
    const refused = await run(["-C", "sub/.git", "apply"], patch).then(
      (out) => `ran: exit ${out.exit_code} ${out.stderr as string}`,
      (error: Error) => error.message,
    );
    await ownerGit(repo, "status");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git ran the fsmonitor the skill applied into sub/.git",
    );
    assert.doesNotMatch(
      await Deno.readTextFile(`${repo}/sub/.git/config`),
      /fsmonitor/,
    );
    assert.match(refused, /may not run git with "apply": git runs programs/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a hook left in the folder the owner's core.hooksPath names never runs at the owner's git commit", async () => {
  // Many repositories keep their hooks in the work tree (husky's
  // `.husky/_`, a `.githooks` folder) and name it with `core.hooksPath`:
  // the read-only `.git/hooks` does not cover it, and a skill's
  // `checkout-index` of a crafted executable blob left a pre-commit hook
  // there that the owner's next `git commit` ran, outside any sandbox.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const withHooks = async (repo: string) => {
      await Deno.mkdir(`${repo}/.githooks`);
      await Deno.writeTextFile(
        `${repo}/.githooks/pre-commit`,
        "#!/bin/sh\nexit 0\n",
        { mode: 0o755 },
      );
      await git(repo, "add", "-A");
      await git(repo, "commit", "-q", "-m", "hooks");
      await git(repo, "config", "core.hooksPath", ".githooks");
      if (Deno.uid() === 0) {
        await new Deno.Command("chown", {
          args: ["-R", "65534:65534", repo],
        }).output();
      }
    };
    const { engine, repo, run } = await grantedGit(work, withHooks);
    await using _engine = engine;
    const marker = `${work}/owner-ran-worktree-hook`;
    const runs = [
      ["hash-object", "-w", "--stdin"],
      ["update-index", "--add", "--cacheinfo", "100755,BLOB,.githooks/NAME"],
      ["checkout-index", "-f", ".githooks/NAME"],
    ];
    const stderr: string[] = [];
    let blob = "";
    for (const name of ["pre-commit", "post-commit"]) {
      for (const args of runs) {
        const out = await run(
          args.map((a) => a.replace("BLOB", blob).replace("NAME", name)),
          `#!/bin/sh\ntouch ${marker}\n`,
        );
        if (args[0] === "hash-object") blob = (out.stdout as string).trim();
        stderr.push(out.stderr as string);
      }
    }
    // Hooks kept outside the folder: the skill writes as before.
    await git(repo, "config", "core.hooksPath", `${work}/hooks-elsewhere`);
    const out = await run(["commit", "-q", "--allow-empty", "-m", "by skill"]);
    assert.equal(out.exit_code, 0, out.stderr as string);
    await git(repo, "config", "core.hooksPath", ".githooks");
    await ownerGit(repo, "commit", "-q", "--allow-empty", "-m", "by owner");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git commit ran a hook the skill left in core.hooksPath",
    );
    assert.match(
      stderr.join("\n"),
      /keeps the hooks your git runs inside itself \(core\.hooksPath \.githooks\)/,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: the copy-back never follows a link the folder holds to delete what the program did not", async () => {
  // The copy-back first deletes, in each folder the program wrote, what
  // its view no longer shows: `a` a link to `.git` in the folder (a
  // commit's symlink, checked out by one call), replaced by a real folder
  // in the next call (`git reset --hard` to a commit where `a/keep` is a
  // file), made it list `.git/*` through the link and delete every entry,
  // the read-only config, hooks and every object with them; a link to
  // `..` emptied the whole folder.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const { engine, repo, ok } = await grantedGit(work);
    await using _engine = engine;
    const blob = (text: string) => ok(["hash-object", "-w", "--stdin"], text);
    const link = await ok(["mktree"], `120000 blob ${await blob(".git")}\ta\n`);
    const linked = await ok(["commit-tree", link, "-p", "HEAD", "-m", "l"]);
    const keep = await ok(["mktree"], `100644 blob ${await blob("")}\tkeep\n`);
    const folder = await ok(["mktree"], `040000 tree ${keep}\ta\n`);
    const replaced = await ok(["commit-tree", folder, "-p", linked, "-m", "d"]);
    await ok(["reset", "-q", "--hard", linked]);
    assert.equal(await Deno.readLink(`${repo}/a`), ".git");
    await ok(["reset", "-q", "--hard", replaced]);
    assert.equal((await Deno.lstat(`${repo}/a`)).isDirectory, true);
    for (const name of ["config", "HEAD", "hooks", "objects", "refs"]) {
      assert.equal(
        await exists(`${repo}/.git/${name}`),
        true,
        `.git/${name} was deleted through the link`,
      );
    }
    assert.match(await git(repo, "log", "--format=%s", "-1"), /^d$/m);
    // A link to the folder's parent, seen as `/` by the copy-back: it
    // listed the folder itself (and emptied it).
    const up = await ok(["mktree"], `120000 blob ${await blob("..")}\tb\n`);
    const upLinked = await ok(["commit-tree", up, "-p", "HEAD", "-m", "u"]);
    const upFolder = await ok(["mktree"], `040000 tree ${keep}\tb\n`);
    const upReplaced = await ok([
      "commit-tree",
      upFolder,
      "-p",
      upLinked,
      "-m",
      "e",
    ]);
    await ok(["reset", "-q", "--hard", upLinked]);
    await ok(["reset", "-q", "--hard", upReplaced]);
    assert.equal(await exists(`${repo}/.git/HEAD`), true, "the folder emptied");
    assert.match(await git(repo, "log", "--format=%s", "-1"), /^e$/m);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a config file of the folder that the repository's config includes is never written for the owner's git status", async () => {
  // Repositories share their settings as a committed file that
  // `.git/config` includes (`include.path = ../.gitconfig`): the
  // read-only `.git/config` does not cover it, and a skill's
  // `checkout-index` of a crafted blob there set `core.fsmonitor`, which
  // the owner's next `git status` ran, outside any sandbox.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gitmeta-" }),
  );
  try {
    const withShared = async (repo: string) => {
      await Deno.writeTextFile(
        `${repo}/.gitconfig`,
        "[alias]\n\tst = status\n",
      );
      await git(repo, "add", "-A");
      await git(repo, "commit", "-q", "-m", "shared config");
      await git(repo, "config", "include.path", "../.gitconfig");
      if (Deno.uid() === 0) {
        await new Deno.Command("chown", {
          args: ["-R", "65534:65534", repo],
        }).output();
      }
    };
    const { engine, repo, run } = await grantedGit(work, withShared);
    await using _engine = engine;
    const marker = `${work}/owner-ran-included-config`;
    const written = await run(
      ["hash-object", "-w", "--stdin"],
      `[core]\n\tfsmonitor = "touch ${marker}; false"\n`,
    );
    const blob = (written.stdout as string).trim();
    const stderr = [written.stderr as string];
    for (
      const args of [
        ["update-index", "--cacheinfo", `100644,${blob},.gitconfig`],
        ["checkout-index", "-f", ".gitconfig"],
      ]
    ) stderr.push((await run(args)).stderr as string);
    // An included file outside the folder: the skill writes as before.
    await git(repo, "config", "include.path", `${work}/elsewhere.gitconfig`);
    const out = await run(["commit", "-q", "--allow-empty", "-m", "by skill"]);
    assert.equal(out.exit_code, 0, out.stderr as string);
    await git(repo, "config", "include.path", "../.gitconfig");
    await ownerGit(repo, "status");
    assert.equal(
      await exists(marker),
      false,
      "the owner's git status ran the fsmonitor of the included config",
    );
    assert.match(
      stderr.join("\n"),
      /holds a file your repository's config includes \(\.\.\/\.gitconfig\)/,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
