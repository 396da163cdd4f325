/**
 * No `shell.run` stalls the engine through the mask of its output (#25,
 * item 6): a skill without `--secrets`, granted `git`, with a key of its
 * own stored (so the call holds a value and masks the program's output),
 * has `git stripspace` echo a crafted 4 MiB text (the reflection guard's
 * worst case) back as its output, several calls at once, while another
 * client pages through the graph. The output is masked off the main
 * thread within the call's guard budget (a call past it fails with the
 * budget's error), and so is the tool's result that carries it (redacted
 * once, on the guard workers, `tests/hostile_result_stall_test.ts`): the
 * other client's `graph.list` keeps answering (it waited 5.6 s when the
 * result was redacted on the main thread). Real engine, real sandboxed
 * worker, real bubblewrap, real git.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { fixture } from "./skills_helpers.ts";
import { craftedBody } from "./_crafted_bodies.ts";

/** Longest `graph.list` the other client may wait while the calls run. */
const MAX_WAIT_MS = 1500;

Deno.test("shell.run: a program's crafted output is masked off the main thread, within the call's guard budget", async (t) => {
  {
    await using engine = await EngineProcess.start({
      env: { AGENTOS_SPARE_WORKERS: "3" },
    });
    const hostile = await engine.client();
    const other = await engine.client();
    await hostile.call("skills.add", { path: fixture("git-tool") });
    const cli = await runAgentos(engine.paths.home, [
      "skills",
      "allow",
      "git-tool",
      "--run",
      "git",
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    await hostile.call("secrets.set", {
      skill: "git-tool",
      value: "gho_T0kenOfTheSkillItself1234567890abcd",
    });
    const body = craftedBody(4 * 1024 * 1024 - 1024);
    const echo = () =>
      hostile.call<{ result: { exit_code: number; stdout: string } }>(
        "skills.run",
        {
          skill: "git-tool",
          tool: "run_args",
          params: { args: ["stripspace"], input: body },
        },
      );

    await t.step(
      "a call past its guard budget fails with the budget's error",
      async () => {
        await hostile.call("prefs.set", {
          key: "http.guard_budget_ms",
          value: 1,
        });
        await assert.rejects(
          echo(),
          // The program's output itself was checked against the budget
          // (not only the tool's result that carries it, later).
          /reflection guard spent this call's budget of 1 ms on its responses; the response is withheld.*prefs set http\.guard_budget_ms/s,
        );
        await other.call("graph.list", { shape: "task", limit: 50 });
        await hostile.call("prefs.set", {
          key: "http.guard_budget_ms",
          value: 600_000,
        });
      },
    );
    await t.step({
      name: "graph.list answers while the crafted outputs are masked",
      fn: async () => {
        let running = true;
        const push = Promise.all([echo(), echo(), echo()]).finally(() =>
          running = false
        );
        const latencies: number[] = [];
        while (running) {
          const started = performance.now();
          await other.call("graph.list", { shape: "task", limit: 50 });
          latencies.push(performance.now() - started);
        }
        const results = await push;
        for (const { result } of results) {
          assert.equal(result.exit_code, 0);
          assert.ok(result.stdout.length > body.length / 2);
        }
        latencies.sort((a, b) => a - b);
        const max = latencies.at(-1)!;
        // deno-lint-ignore no-console
        console.log(
          `graph.list during 3 masked 4 MiB outputs: ${latencies.length} calls, median ${
            latencies[latencies.length >> 1]!.toFixed(1)
          } ms, max ${max.toFixed(1)} ms`,
        );
        assert.ok(
          max < MAX_WAIT_MS,
          `graph.list waited ${max.toFixed(0)} ms behind the mask`,
        );
      },
    });
  }
});
