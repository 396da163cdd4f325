/**
 * The everyday conveniences of issue #28: `agentos version`, `agentos logs`
 * (and `--follow`), and `key=value` parameters for `skills run`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT, taskCommand, taskEnv } from "./_task_command.ts";
import { fixture } from "./skills_helpers.ts";
import { waitFor } from "./_wait.ts";

Deno.test("agentos version, logs [--follow] and skills run key=value", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;
  await (await engine.client()).call("skills.add", {
    path: fixture("records-demo"),
  });

  await t.step("version and --version print the same version", async () => {
    const flag = await runAgentos(home, ["--version"]);
    const word = await runAgentos(home, ["version"]);
    assert.equal(word.code, 0, word.stderr);
    assert.equal(word.stdout.split("\n")[0], flag.stdout.trim());
    const json = JSON.parse(
      (await runAgentos(home, ["version", "--json"])).stdout,
    );
    assert.equal(`agentos ${json.version}`, flag.stdout.trim());
    assert.equal(json.deno, Deno.version.deno);
  });

  await t.step("logs prints the engine log's last lines", async () => {
    const run = await runAgentos(home, ["logs", "-n", "5"]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split("\n");
    assert.ok(lines.length >= 1 && lines.length <= 5, run.stdout);
    const bad = await runAgentos(home, ["logs", "-n", "lots"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /-n must be a whole number/);
  });

  await t.step(
    "logs --follow prints lines written after it started",
    async () => {
      const [program, ...args] = taskCommand("agentos", home);
      const child = new Deno.Command(program!, {
        args: [...args, "logs", "--follow", "-n", "0"],
        cwd: REPO_ROOT,
        clearEnv: true,
        env: taskEnv(home),
        stdout: "piped",
        stderr: "null",
      }).spawn();
      let seen = "";
      const reading = child.stdout.pipeThrough(new TextDecoderStream())
        .pipeTo(new WritableStream({ write: (chunk) => void (seen += chunk) }));
      try {
        const client = await engine.client();
        await waitFor("logs --follow to print a new line", async () => {
          await client.call("skills.run", {
            skill: "records-demo",
            tool: "one_post",
            remember: false,
          });
          return /Skill call completed/.test(seen);
        }, { timeoutMs: 20_000 });
      } finally {
        try {
          child.kill("SIGTERM");
        } catch {
          // Already exited: the assertion above says why.
        }
        await child.status;
        await reading.catch(() => {});
      }
    },
  );

  await t.step(
    "skills run takes key=value and key:=json parameters",
    async () => {
      const run = await runAgentos(home, [
        "skills",
        "run",
        "records-demo",
        "posts",
        "count:=1",
        "likes=12",
        "--no-remember",
        "--json",
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const { result } = JSON.parse(run.stdout);
      assert.equal(result.length, 1);
      const bad = await runAgentos(home, [
        "skills",
        "run",
        "records-demo",
        "posts",
        "count:=nope",
      ]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /count:=nope.*not valid JSON/);
    },
  );
});
