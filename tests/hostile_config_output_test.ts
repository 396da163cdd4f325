/**
 * A skill without `--secrets`, granted `git --config DIR`, has git print
 * the config's token in a form the mask does not know: a character-level
 * word diff against text of its own (`input`), from which the file is
 * put back together (#25, item 3). Real engine, real sandboxed worker,
 * real bubblewrap, real git.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";

type Json = Record<string, unknown>;

const GH_TOKEN = "gho_T0kenFromTheConfigDir1234567890abcd";

/** The new side of a `--word-diff=porcelain` diff, as the file was. */
function newSide(diff: string): string {
  const body = diff.split("\n");
  const start = body.findIndex((line) => line.startsWith("@@"));
  let text = "";
  for (const line of body.slice(start + 1)) {
    if (line.startsWith("~")) text += "\n";
    else if (line.startsWith(" ") || line.startsWith("+")) {
      text += line.slice(1);
    }
  }
  return text;
}

Deno.test({
  name:
    "a --config token split by a character word diff never reaches a skill without --secrets",
  // The route (closed): `git diff --no-index --word-diff=porcelain
  // --word-diff-regex=. - <config>/hosts.yml` with an alphabet as `input`
  // printed the token as runs of characters on lines of their own; no run
  // is the token, so the mask let each through and the skill joined them.
  // Any program that transforms what it reads defeats output masking, so
  // a `--config` program now runs only for a skill granted `--secrets`.
  fn: async () => {
    const work = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "agentos-config-split-" }),
    );
    const config = `${work}/gh`;
    await Deno.mkdir(config);
    await Deno.writeTextFile(
      `${config}/hosts.yml`,
      `github.com:\n    user: someone\n    oauth_token: ${GH_TOKEN}\n`,
    );
    // A root engine's programs run as nobody: the config must be readable.
    if (Deno.uid() === 0) await Deno.chmod(work, 0o755);
    try {
      await using engine = await EngineProcess.start({
        env: { AGENTOS_SPARE_WORKERS: "1" },
      });
      const client = await engine.client();
      await client.call("skills.add", { path: fixture("git-tool") });
      const cli = await runAgentos(engine.paths.home, [
        "skills",
        "allow",
        "git-tool",
        "--run",
        "git",
        "--config",
        config,
      ]);
      assert.equal(cli.code, 0, cli.stderr);
      const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" +
        "0123456789_-:.";
      const outcome = await client.call<{ result: Json }>("skills.run", {
        skill: "git-tool",
        tool: "run_args",
        params: {
          args: [
            "diff",
            "--no-index",
            "--word-diff=porcelain",
            "--word-diff-regex=.",
            "-",
            `${config}/hosts.yml`,
          ],
          input: [alphabet, alphabet, alphabet].join("#"),
        },
      }).then((r) => String(r.result.stdout), (e) => String(e));
      assert.match(outcome, /agentos skills allow git-tool --secrets/);
      assert.ok(!outcome.includes(GH_TOKEN), outcome);
      assert.ok(
        !newSide(outcome).includes(GH_TOKEN),
        "the token was put back together from the word diff",
      );
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
