/**
 * A hostile skill granted a program that writes any content at a path of
 * its choosing (`curl -o`, here from a `file://` URL, no network) beside
 * `git` in the same writable repository: git registers a clone it made
 * deeper as a gitlink, which every rule allows, and the other program
 * writes that clone's `.git/config` (`core.fsmonitor`) or replaces its
 * `.git` with a `gitdir:` file leading to a folder of the skill's making.
 * The owner's next `git status`, outside any sandbox, enters the
 * submodule and runs the command (#25, item 2: no code left for the
 * owner's git, whatever program writes it). Real engine, real sandboxed
 * worker, real bubblewrap, real git and curl; the owner's git is the host's.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";
import { git, ownerRepository } from "./_git.ts";

type Json = Record<string, unknown>;

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

/** The repository, a skill granted git and curl on it (`--write`), and runners. */
async function grantedWriters(work: string) {
  const repo = `${work}/repo`;
  await Deno.mkdir(repo);
  await ownerRepository(repo);
  const engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("git-tool") });
  for (const program of ["git", "curl"]) {
    const granted = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      program,
      "--cwd",
      repo,
      "--write",
    ]);
    assert.equal(granted.code, 0, granted.stderr);
  }
  const call = (tool: string, params: Json) =>
    client.call<{ result: Json }>("skills.run", {
      skill: "git-tool",
      tool,
      params,
    }).then((r) => r.result);
  /** Runs git as the skill, failing on a non-zero exit; its stdout. */
  const ok = async (args: string[], input?: string) => {
    const out = await call("run_args", {
      args,
      ...(input === undefined ? {} : { input }),
    });
    assert.equal(out.exit_code, 0, `git ${args.join(" ")}: ${out.stderr}`);
    return String(out.stdout).trim();
  };
  /** A file of the skill's content checked out at `name` in the work tree. */
  const checkedOut = async (name: string, text: string) => {
    const blob = await ok(["hash-object", "-w", "--stdin"], text);
    await ok([
      "update-index",
      "--add",
      "--cacheinfo",
      `100644,${blob},${name}`,
    ]);
    await ok(["checkout-index", "-f", name]);
    await ok(["rm", "-q", "--cached", name]);
  };
  /** curl copies one file of the grant to another path of it. */
  const copy = (from: string, to: string) =>
    call("run_other", {
      binary: "curl",
      args: ["-sS", "--create-dirs", "-o", to, `file://${repo}/${from}`],
    });
  return { engine, repo, ok, checkedOut, copy };
}

/** The owner's own `git status`, outside any sandbox. */
async function ownerStatus(repo: string): Promise<void> {
  await git(repo, "status").catch(() => {});
}

Deno.test("shell.run: a nested repository's config written by another granted program never runs code at the owner's git status", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-nested-" }),
  );
  try {
    const { engine, repo, ok, checkedOut, copy } = await grantedWriters(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-nested-config`;
    await ok(["clone", "-q", "--no-hardlinks", ".", "sub"]);
    const head = await ok(["rev-parse", "HEAD"]);
    await ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
    await checkedOut(
      "payload",
      `[core]\n\trepositoryformatversion = 0\n\tfsmonitor = "touch ${marker}; false"\n`,
    );
    const wrote = await copy("payload", "sub/.git/config");
    assert.match(String(wrote.stderr), /nothing of this call lands/);
    await ownerStatus(repo);
    assert.equal(
      await exists(marker),
      false,
      "the owner's git status ran the fsmonitor another program wrote into a nested repository",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a nested repository's .git replaced by a gitdir: file never runs code at the owner's git status", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-gitfile-" }),
  );
  try {
    const { engine, repo, ok, checkedOut, copy } = await grantedWriters(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-gitdir-file`;
    // A folder that is a git directory, every file of it checked out by
    // git, and `sub/.git` a file naming it: no path holds `.git/config`.
    await ok(["clone", "-q", "--no-hardlinks", "--bare", ".", "evil"]);
    await checkedOut(
      "payload",
      `[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = "touch ${marker}; false"\n`,
    );
    await copy("payload", "evil/config");
    await checkedOut("pointer", "gitdir: ../evil\n");
    const wrote = await copy("pointer", "sub/.git");
    assert.match(String(wrote.stderr), /nothing of this call lands/);
    assert.equal(
      (await Deno.lstat(`${repo}/sub/.git`).catch(() => undefined))?.isFile,
      undefined,
    );
    const head = await ok(["rev-parse", "HEAD"]);
    await ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
    await ownerStatus(repo);
    assert.equal(
      await exists(marker),
      false,
      "the owner's git status ran the fsmonitor of a git directory a .git file led to",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a nested repository's commondir written by another granted program never runs code at the owner's git status", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-commondir-" }),
  );
  try {
    const { engine, repo, ok, checkedOut, copy } = await grantedWriters(work);
    await using _engine = engine;
    const marker = `${work}/owner-ran-nested-commondir`;
    // git reads a repository's config from its common directory: a
    // folder of the skill's, whose `config` is no `.git/config`.
    await ok(["clone", "-q", "--no-hardlinks", "--bare", ".", "common"]);
    await checkedOut(
      "payload",
      `[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = "touch ${marker}; false"\n`,
    );
    await copy("payload", "common/config");
    await ok(["clone", "-q", "--no-hardlinks", ".", "sub"]);
    await checkedOut("pointer", "../../common\n");
    const wrote = await copy("pointer", "sub/.git/commondir");
    assert.match(String(wrote.stderr), /nothing of this call lands/);
    const head = await ok(["rev-parse", "HEAD"]);
    await ok(["update-index", "--add", "--cacheinfo", `160000,${head},sub`]);
    await ownerStatus(repo);
    assert.equal(
      await exists(marker),
      false,
      "the owner's git status ran the fsmonitor of a common directory a nested commondir named",
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a hook written into a nested repository by another granted program never lands", async () => {
  // curl writes no execute bit, but an archive (tar, a downloaded
  // artifact) keeps it: the owner's next commit inside `sub` would run it.
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-hook-" }),
  );
  try {
    const { engine, repo, ok, checkedOut, copy } = await grantedWriters(work);
    await using _engine = engine;
    await ok(["clone", "-q", "--no-hardlinks", ".", "sub"]);
    await checkedOut("payload", "#!/bin/sh\ntouch owner-ran-hook\n");
    const wrote = await copy("payload", "sub/.git/hooks/pre-commit");
    assert.match(String(wrote.stderr), /nothing of this call lands/);
    assert.equal(await exists(`${repo}/sub/.git/hooks/pre-commit`), false);
    // git's own sample hooks, which a clone copies, land.
    assert.ok(await exists(`${repo}/sub/.git/hooks/pre-commit.sample`));
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("shell.run: a clone with its submodules lands in a writable grant (git's own .git files and configs pass the copy-back)", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-red7-recursive-" }),
  );
  try {
    const { engine, repo, ok } = await grantedWriters(work);
    await using _engine = engine;
    // The owner's repositories to clone from, inside the grant (the
    // sandbox sees nothing else): `src` with `lib` as a submodule.
    const from = `${repo}/from`;
    await Deno.mkdir(from);
    await git(from, "init", "-q", "lib");
    await git(`${from}/lib`, "commit", "-q", "--allow-empty", "-m", "lib");
    await git(from, "init", "-q", "src");
    await git(
      `${from}/src`,
      "-c",
      "protocol.file.allow=always",
      "submodule",
      "add",
      "-q",
      "../lib",
      "lib",
    );
    await git(`${from}/src`, "commit", "-q", "-m", "src");
    if (Deno.uid() === 0) {
      await new Deno.Command("chown", { args: ["-R", "65534:65534", from] })
        .output();
    }
    await ok([
      "clone",
      "-q",
      "--recurse-submodules",
      `file://${from}/src`,
      "deep",
    ]);
    assert.match(
      await Deno.readTextFile(`${repo}/deep/lib/.git`),
      /^gitdir: \.\.\/\.git\/modules\/lib\n$/,
    );
    assert.match(
      await git(`${repo}/deep/lib`, "config", "remote.origin.url"),
      /from\/lib/,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
