/**
 * Load holds (#29, point 6): 200 calls at once, each a sandboxed worker
 * with its own reader thread, all succeed. Under a root engine every
 * worker is uid 65534 outside, and `RLIMIT_NPROC` counts every process
 * and thread of that uid on the host: a per-call value of it refused new
 * threads past a few dozen calls. The per-call cap is the call's cgroup
 * (`pids.max`). Runs to its counts, not to a time.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";

const CALLS = 200;

Deno.test(`${CALLS} concurrent calls all succeed (no per-uid thread ceiling)`, async () => {
  await using engine = await EngineProcess.start();
  const client = await engine.client();
  await client.call("skills.add", { path: `${REPO_ROOT}/bench/skills/mixed` });
  const failures: string[] = [];
  let ok = 0;
  // Each call sleeps long enough for all of them to overlap once started.
  await Promise.all(
    Array.from({ length: CALLS }, async () => {
      try {
        const out = await client.call<{ result: { ok: boolean } }>(
          "capability.invoke",
          { name: "bench_sleep", params: { ms: 2000 } },
        );
        if (out.result.ok) ok++;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }),
  );
  assert.deepEqual(
    [...new Set(failures.map((f) => f.slice(0, 300)))],
    [],
    `${failures.length} of ${CALLS} calls failed`,
  );
  assert.equal(ok, CALLS);
});
