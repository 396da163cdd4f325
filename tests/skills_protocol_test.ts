/**
 * The worker wire protocol against deliberately broken workers: each
 * failure is a clear error for that call only, the process is killed and
 * reaped, and the next call works.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";

Deno.test("broken workers fail their own call only, with a clear error", async (t) => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("broken-protocol") });
  const run = (tool: string) =>
    client.call("skills.run", { skill: "broken-protocol", tool });
  const stillWorks = async () =>
    assert.deepEqual(
      (await client.call<{ result: unknown }>("skills.run", {
        skill: "broken-protocol",
        tool: "ok",
      })).result,
      { ok: true },
    );

  const cases: [string, number, RegExp][] = [
    ["garbage", ErrorCode.SkillFailed, /Worker sent a line that is not JSON/],
    ["mid_line", ErrorCode.SkillFailed, /not JSON|exited before answering/],
    [
      "exit_early",
      ErrorCode.SkillFailed,
      /Worker exited before answering \(exit code 3\): about to exit early/,
    ],
    [
      "never_answers",
      ErrorCode.Timeout,
      /Tool "never_answers" of skill "broken-protocol" did not finish within 1 s/,
    ],
    [
      "oversized",
      ErrorCode.SkillFailed,
      /line of \d+ bytes, over the 16777216 byte limit/,
    ],
    [
      "wrong_message",
      ErrorCode.SkillFailed,
      /unexpected message while running/,
    ],
    [
      "raises",
      ErrorCode.SkillFailed,
      /Tool "raises" of skill "broken-protocol" failed: ValueError: something broke/,
    ],
  ];
  for (const [tool, code, message] of cases) {
    await t.step(`${tool}: ${message.source}`, async () => {
      const error = await rejectsWith(run(tool), code, message);
      const data = error.data as Record<string, unknown>;
      assert.equal(data.skill, "broken-protocol");
      assert.equal(data.tool, tool);
      await stillWorks();
    });
  }

  await t.step(
    "a tool exception carries its traceback, naming the skill's file",
    async () => {
      const error = await rejectsWith(
        run("raises"),
        ErrorCode.SkillFailed,
        /ValueError/,
      );
      assert.match(
        String((error.data as { traceback: string }).traceback),
        /\/skill\/tools\.py", line \d+, in raises/,
      );
    },
  );

  await t.step(
    "ops the skill may not use are refused to it with a clear error",
    async () => {
      const { result } = await client.call<
        { result: { errors: Record<string, string> } }
      >("skills.run", { skill: "broken-protocol", tool: "refused_ops" });
      assert.match(
        result.errors["secrets.read"]!,
        /^-32005: Skill "broken-protocol" may not read credentials: it does not declare secrets/,
      );
      assert.match(
        result.errors["sql.query"]!,
        /^-32005: .*may not use "sql\.query": it does not declare sql/,
      );
      assert.match(
        result.errors["capability.call"]!,
        /^-32003: No enabled skill provides "no_such_capability"/,
      );
      assert.match(
        result.errors["graph.get"]!,
        /not available to skills: return records with @returns/,
      );
    },
  );

  await t.step(
    "log lines reach the engine log; progress reaches the caller",
    async () => {
      const progress: unknown[] = [];
      const caller = await engine.client({
        onNotification: (method, params) => {
          if (method === "skills.progress") progress.push(params);
        },
      });
      await caller.call("skills.run", {
        skill: "broken-protocol",
        tool: "reports",
      });
      assert.deepEqual(progress, [{
        progress: 1,
        total: 2,
        message: "half way",
      }]);
      const log = await Deno.readTextFile(engine.paths.engineLog);
      assert.match(
        log,
        /Skill log .*skill=broken-protocol tool=reports .*hello from the skill/,
      );
    },
  );

  await t.step("no worker process is left behind", async () => {
    // A worker is reaped in the background right after its answer: give the
    // last ones a moment, then only the spares (ready or starting), the
    // launchers parked for cold calls and the engine's one cgroup keeper (a
    // long-lived interpreter, named on its command line) remain.
    let alive: string[] = [];
    let spares = 0;
    for (let attempt = 0; attempt < 50; attempt++) {
      const status = await client.call<{ counts: Record<string, number> }>(
        "engine.status",
      );
      spares = status.counts.sparesReady! + status.counts.sparesStarting! +
        status.counts.launchersParked!;
      const children = await new Deno.Command("ps", {
        args: ["-o", "pid=,stat=,args=", "--ppid", String(engine.child.pid)],
        stdout: "piped",
      }).output();
      alive = new TextDecoder().decode(children.stdout).trim().split("\n")
        .filter((line) => line.trim() !== "" && !/\bZ/.test(line))
        .filter((line) => !/agentos-cgroup-keeper/.test(line));
      if (alive.length <= spares) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(
      alive.length <= spares,
      `unexpected children: ${alive.join("; ")}`,
    );
  });
});
