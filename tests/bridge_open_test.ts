/**
 * `agentos bridge open`, `engine status` and `doctor` name the bridge that
 * really runs (issue #28: `bridge open` printed a dead link on the default
 * port, and doctor called that port free).
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { freePort, startBridgeProcess } from "./bridge_fixture.ts";
import { taskEnv } from "./_task_command.ts";

Deno.test("bridge open uses the bridge's real port, says how to start one when none listens, and --browser opens the link; engine status and doctor report it", async (t) => {
  await using engine = await EngineProcess.start();
  const home = engine.paths.home;
  const nobody = freePort();
  let run = await runAgentos(home, [
    "prefs",
    "set",
    "bridge.port",
    `${nobody}`,
  ]);
  assert.equal(run.code, 0, run.stderr);

  await t.step(
    "no bridge listens: a clear refusal naming the port and how to start one",
    async () => {
      run = await runAgentos(home, ["bridge", "open"]);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.equal(run.stdout, "");
      assert.match(
        run.stderr,
        new RegExp(`No bridge listens on 127\\.0\\.0\\.1:${nobody}`),
      );
      assert.match(run.stderr, /bridge\.autostart true/);
      const status = await runAgentos(home, ["engine", "status"]);
      assert.match(
        status.stdout,
        new RegExp(
          `bridge\\s+not running \\(port ${nobody}, from bridge\\.port\\)`,
        ),
      );
    },
  );

  await using bridge = await startBridgeProcess(home);
  run = await runAgentos(home, [
    "prefs",
    "set",
    "bridge.port",
    `${bridge.port}`,
  ]);
  assert.equal(run.code, 0, run.stderr);

  await t.step("a bridge on the configured port: a live link", async () => {
    run = await runAgentos(home, ["bridge", "open", "--json"]);
    assert.equal(run.code, 0, run.stderr);
    const { url } = JSON.parse(run.stdout);
    assert.match(
      url,
      new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?open=`),
    );
    const page = await fetch(url);
    assert.equal(page.status, 200);
    await page.body?.cancel();
  });

  await t.step(
    "engine status and doctor report the running bridge",
    async () => {
      const status = await runAgentos(home, ["engine", "status"]);
      assert.match(
        status.stdout,
        new RegExp(`bridge\\s+http://127\\.0\\.0\\.1:${bridge.port}/`),
      );
      const doctor = await runAgentos(home, ["doctor", "--json"]);
      const check = JSON.parse(doctor.stdout).checks.find((
        c: { name: string },
      ) => c.name === "bridge");
      assert.equal(check.status, "ok");
      assert.match(
        check.detail,
        new RegExp(`port ${bridge.port} serves the AgentOS bridge`),
      );
    },
  );

  await t.step("--browser hands the link to the desktop's opener", async () => {
    const bin = await Deno.makeTempDir({ prefix: "agentos-opener-" });
    try {
      await Deno.writeTextFile(
        `${bin}/xdg-open`,
        `#!/bin/sh\nprintf '%s' "$1" > "${bin}/opened"\n`,
        { mode: 0o755 },
      );
      run = await runAgentos(home, ["bridge", "open", "--browser"], undefined, {
        PATH: `${bin}:${taskEnv(home).PATH}`,
      });
      assert.equal(run.code, 0, run.stderr);
      const opened = await Deno.readTextFile(`${bin}/opened`);
      assert.match(
        opened,
        new RegExp(`^http://127\\.0\\.0\\.1:${bridge.port}/\\?open=`),
      );
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  });
});
