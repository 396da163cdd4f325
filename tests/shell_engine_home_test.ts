/**
 * A real engine whose home lies under `/opt` (a system directory every
 * program sandbox binds read-only): a granted program sees an empty
 * directory there, not the engine's files, whoever may read them (the
 * wiring from the engine to the shell broker; a home named through a link
 * is `engine/broker/shell/shell_view_test.ts`'s). Needs root (to write
 * under `/opt`).
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";
import { ownerRepository } from "./_git.ts";

Deno.test({
  name: "shell.run: an engine home under /opt is hidden from programs",
  ignore: Deno.uid() !== 0,
  async fn() {
    const home = await Deno.makeTempDir({ dir: "/opt", prefix: "agentos-" });
    const work = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "agentos-home-link-" }),
    );
    try {
      const repo = `${work}/repo`;
      await Deno.mkdir(repo);
      await ownerRepository(repo);
      await using engine = await EngineProcess.start({ home });
      // Readable by anyone, the uid a root engine's programs run as
      // included: only the sandbox's view keeps it from them.
      await Deno.chmod(home, 0o755);
      const planted = `${home}/planted`;
      await Deno.writeTextFile(planted, "engine-file-4d1f\n", { mode: 0o644 });
      await Deno.chmod(planted, 0o644);
      const client = await engine.client();
      await client.call("skills.add", { path: fixture("git-tool") });
      const allowed = await runAgentos(home, [
        "skills",
        "allow",
        "git-tool",
        "--run",
        "git",
        "--cwd",
        repo,
      ]);
      assert.equal(allowed.code, 0, allowed.stderr);
      const { result } = await client.call<
        { result: { stdout: string; stderr: string } }
      >(
        "skills.run",
        {
          skill: "git-tool",
          tool: "run_args",
          params: { args: ["diff", "--no-index", planted, "/dev/null"] },
        },
      );
      assert.doesNotMatch(result.stdout, /engine-file-4d1f/);
      assert.match(result.stderr, /Could not access/);
    } finally {
      await Deno.remove(work, { recursive: true });
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  },
});
