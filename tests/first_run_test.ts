/**
 * The first run from a fresh clone is quiet: `scripts/deno` fetches the
 * dependencies with one progress line (not one per package), the tasks do
 * not print their command lines, nothing carries colour codes into a pipe,
 * and the engine says when it is ready and when it stops.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  denoDir,
  freshClone,
  runProgram,
  userEnv,
} from "./distribution_helpers.ts";

const FETCH_LINE =
  "agentos setup: fetching dependencies into Deno's cache (first run only)";

Deno.test("the first run from a fresh clone prints one setup line, no task lines and no colour codes", async () => {
  await using clone = await freshClone();
  const home = await Deno.makeTempDir({ prefix: "agentos-first-run-" });
  // A lock file whose checksum no earlier run has seen: the clone counts as
  // new, while Deno's warm cache keeps the test off the network.
  const lock = join(clone.dir, "deno.lock");
  await Deno.writeTextFile(lock, (await Deno.readTextFile(lock)) + "\n");
  const checksum = new TextDecoder().decode(
    (await new Deno.Command("sh", {
      args: ["-c", `cksum < '${lock}' | cut -d' ' -f1`],
    }).output()).stdout,
  ).trim();
  const stamp = join(denoDir(), `agentos-deps-${checksum}`);
  // Without NO_COLOR: whether colour reaches a pipe is what is tested.
  const { NO_COLOR: _, ...base } = userEnv(home);
  const env = { ...base, DENO_DIR: denoDir() };
  const wrapper = join(clone.dir, "scripts", "deno");
  try {
    let run = await runProgram(wrapper, ["task", "agentos", "--version"], {
      cwd: clone.dir,
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^agentos \d/);
    assert.equal(run.stderr, `${FETCH_LINE}\n`);
    run = await runProgram(wrapper, ["task", "agentos", "--version"], {
      cwd: clone.dir,
      env,
    });
    assert.equal(
      run.stderr,
      "",
      "the second run prints nothing but its answer",
    );

    const engine = new Deno.Command(wrapper, {
      args: ["task", "engine"],
      cwd: clone.dir,
      clearEnv: true,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(engine.stderr).text();
    const stdout = new Response(engine.stdout).text();
    const agentos = join(clone.dir, "scripts", "agentos");
    const deadline = Date.now() + 60_000;
    while (
      (await runProgram(agentos, ["engine", "status"], { env })).code !== 0
    ) {
      if (Date.now() > deadline) {
        engine.kill("SIGKILL");
        throw new Error(
          `the engine did not answer within 60 s: ${await stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const stop = await runProgram(agentos, ["engine", "stop"], { env });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await engine.status).code, 0);
    const lines = (await stderr).trimEnd().split("\n");
    assert.deepEqual(
      lines.map((line) => line.replace(/\(pid \d+\)/, "(pid N)")),
      [
        `agentos engine ${home} ready (pid N)`,
        `agentos engine ${home} stopped (pid N)`,
      ],
    );
    assert.equal(await stdout, "");
    for (const text of [run.stdout, run.stderr, stop.stdout, stop.stderr]) {
      assert.ok(
        !text.includes("\x1b["),
        `colour codes in ${JSON.stringify(text)}`,
      );
    }
  } finally {
    await Deno.remove(stamp).catch(() => {});
    await Deno.remove(home, { recursive: true });
  }
});
