/**
 * A program's granted folder: read-only unless the owner adds `--write`;
 * with it, what one call writes is bounded (64 MiB by default, past it the
 * program gets ENOSPC and nothing beyond lands; `--write-limit` raises it)
 * and what the program deleted and made again lands as it saw it; and a
 * folder replaced by a link after the grant (here to the engine's home)
 * is refused, never shown to the program.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";
import { git } from "./_git.ts";

type Json = Record<string, unknown>;

const MIB = 1024 * 1024;
const BIG_FILES = 6;
const BIG_BYTES = 20 * MIB;

/** Bytes of the regular files under a folder. */
async function bytesUnder(dir: string): Promise<number> {
  let total = 0;
  if (!(await Deno.lstat(dir).catch(() => undefined))?.isDirectory) return 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const info = await Deno.lstat(path);
    total += info.isDirectory ? await bytesUnder(path) : info.size;
  }
  return total;
}

/** A repository: bigs/ (6 × 20 MiB), main with dir/b, other with dir/a. */
async function makeRepo(repo: string): Promise<void> {
  await Deno.mkdir(`${repo}/bigs`, { recursive: true });
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "config", "user.name", "Owner");
  await git(repo, "config", "user.email", "owner@example.com");
  for (let i = 0; i < BIG_FILES; i++) {
    // Not zeros (git would write them as holes), but compressible: git
    // stores each in almost nothing.
    await Deno.writeFile(
      `${repo}/bigs/${i}.bin`,
      new Uint8Array(BIG_BYTES).fill(i + 1),
    );
  }
  await Deno.mkdir(`${repo}/dir`);
  await Deno.writeTextFile(`${repo}/dir/b`, "b");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "first");
  await git(repo, "checkout", "-q", "-b", "other");
  await git(repo, "rm", "-q", "dir/b");
  await Deno.mkdir(`${repo}/dir`, { recursive: true });
  await Deno.writeTextFile(`${repo}/dir/a`, "a");
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "other");
  await git(repo, "checkout", "-q", "main");
  if (Deno.uid() === 0) {
    // A root engine's programs run as nobody: the folder is nobody's.
    await new Deno.Command("chown", { args: ["-R", "65534:65534", repo] })
      .output();
  }
}

Deno.test("a granted folder: read-only without --write, writes bounded per call, a replaced folder refused", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-grant-writes-" }),
  );
  const repo = `${work}/repo`;
  await makeRepo(repo);
  try {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "1" },
    });
    const client = await engine.client();
    const home = engine.paths.home;
    await client.call("skills.add", { path: fixture("git-tool") });
    const allow = async (...extra: string[]) => {
      const cli = await runAgentos(home, [
        "skills",
        "allow",
        "git-tool",
        "--run",
        "git",
        "--cwd",
        repo,
        ...extra,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      return cli.stdout;
    };
    const run = (args: string[]) =>
      client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_args",
        params: { args },
      }).then((r) => r.result);

    await t.step("without --write the folder is read-only", async () => {
      const said = await allow();
      const out = await run(["commit", "--allow-empty", "-q", "-m", "nope"]);
      assert.doesNotMatch(await git(repo, "log", "--oneline"), /nope/);
      assert.notEqual(out.exit_code, 0, out.stderr as string);
      assert.match(out.stderr as string, /Read-only file system/);
      assert.match(said, /read-only; add --write/);
    });

    await t.step(
      "with --write what the program did lands, deletions and a folder made again included",
      async () => {
        assert.match(await allow("--write"), /up to 64 MiB per call/);
        const out = await run(["checkout", "-q", "other"]);
        assert.equal(out.exit_code, 0, out.stderr as string);
        assert.equal(await Deno.readTextFile(`${repo}/dir/a`), "a");
        // git emptied dir/ (b) and made it again (a): an opaque folder.
        await assert.rejects(Deno.lstat(`${repo}/dir/b`), Deno.errors.NotFound);
        assert.match(await git(repo, "status", "--short", "-b"), /## other/);
      },
    );

    await t.step(
      "one call writes at most 64 MiB: then ENOSPC, nothing beyond lands",
      async () => {
        await Deno.remove(`${repo}/bigs`, { recursive: true });
        const out = await run(["checkout", "--", "bigs"]);
        assert.notEqual(out.exit_code, 0);
        assert.match(
          out.stderr as string,
          /No space left on device|unable to write file/,
        );
        const landed = await bytesUnder(`${repo}/bigs`);
        assert.ok(landed <= 64 * MIB, `${landed} bytes landed`);
      },
    );

    await t.step("the owner raises the bound with --write-limit", async () => {
      assert.match(
        await allow("--write", "--write-limit", "256M"),
        /up to 256 MiB per call/,
      );
      const out = await run(["checkout", "--", "bigs"]);
      assert.equal(out.exit_code, 0, out.stderr as string);
      assert.equal(await bytesUnder(`${repo}/bigs`), BIG_FILES * BIG_BYTES);
    });

    await t.step(
      "the folder replaced by a link (to another folder, to the engine's home) is refused",
      async () => {
        await Deno.mkdir(`${work}/elsewhere`);
        await Deno.writeTextFile(`${work}/elsewhere/secret.txt`, "not-yours");
        await Deno.chmod(`${work}/elsewhere/secret.txt`, 0o644);
        await Deno.rename(repo, `${work}/moved`);
        await Deno.symlink(`${work}/elsewhere`, repo);
        const other = await run([
          "diff",
          "--no-index",
          "/dev/null",
          "secret.txt",
        ]);
        assert.doesNotMatch(other.stdout as string, /not-yours/);
        assert.match(
          other.stderr as string,
          /no longer the folder the owner granted/,
        );
        await Deno.remove(repo);
        await Deno.symlink(home, repo);
        const engineFiles = await run([
          "diff",
          "--no-index",
          "--text",
          "/dev/null",
          "data/agentos.db",
        ]);
        assert.doesNotMatch(
          engineFiles.stdout as string,
          /CREATE TABLE|SQLite/,
        );
        assert.match(
          engineFiles.stderr as string,
          /no longer the folder the owner granted/,
        );
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
