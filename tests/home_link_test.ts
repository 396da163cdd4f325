/**
 * A home named through a link (a `~/.agentos` kept on another disk): the
 * engine started by `scripts/deno task engine` runs, and the CLI reaches
 * it through the same link. Deno checks a permission against the path a
 * file really has, so the wrapper hands the tasks the home's real path.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { denoDir, runProgram, userEnv } from "./distribution_helpers.ts";
import { REPO_ROOT } from "./_task_command.ts";

Deno.test("an AGENTOS_HOME that is a link: the engine starts and the CLI reaches it", async () => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-home-link-" }),
  );
  const real = join(work, "elsewhere");
  const home = join(work, "linked-home");
  await Deno.mkdir(real);
  await Deno.symlink(real, home);
  const env = { ...userEnv(home), DENO_DIR: denoDir() };
  const wrapper = join(REPO_ROOT, "scripts", "deno");
  const agentos = join(REPO_ROOT, "scripts", "agentos");
  const engine = new Deno.Command(wrapper, {
    args: ["task", "engine"],
    cwd: REPO_ROOT,
    clearEnv: true,
    env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(engine.stderr).text();
  try {
    const deadline = Date.now() + 60_000;
    let status = await runProgram(agentos, ["engine", "status"], { env });
    while (status.code !== 0) {
      const exited = await Promise.race([
        engine.status.then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 200)),
      ]);
      assert.ok(!exited, `the engine exited: ${await stderr}`);
      assert.ok(Date.now() < deadline, `no answer within 60 s`);
      status = await runProgram(agentos, ["engine", "status"], { env });
    }
    assert.match(status.stdout, new RegExp(real));
    const stop = await runProgram(agentos, ["engine", "stop"], { env });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await engine.status).code, 0);
    assert.ok(
      (await Deno.stat(join(real, "data", "agentos.db"))).isFile,
      "the graph lies in the link's target",
    );
  } finally {
    try {
      engine.kill("SIGKILL");
    } catch { /* already gone */ }
    await engine.status;
    await stderr.catch(() => "");
    await Deno.remove(work, { recursive: true });
  }
});
