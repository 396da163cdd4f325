/**
 * A skill that writes dispatches faster than the engine serves them: the
 * engine fails the call past its per-call budget instead of holding every
 * queued dispatch in memory, and stays up for the next call.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { localServer, rejectsWith } from "./skills_helpers.ts";
import { REPO_ROOT } from "./_task_command.ts";

Deno.test("a call holding more than 32 MiB of queued dispatches fails with a clear error", async () => {
  const release = Promise.withResolvers<void>();
  let received = 0;
  await using server = localServer(async (request) => {
    await request.arrayBuffer();
    received++;
    await release.promise; // slow: the call's other dispatches queue up
    return new Response("ok");
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.slow.test": server.origin,
      }),
    },
  });
  try {
    const client = await engine.client();
    await client.call("skills.add", {
      path: `${REPO_ROOT}tests/fixtures/hostile/dispatch-flood`,
    });
    const error = await rejectsWith(
      client.call("skills.run", {
        skill: "dispatch-flood",
        tool: "flood",
        params: { count: 1500, kib: 100 },
      }),
      ErrorCode.SkillFailed,
      /stopped at dispatch \d+ \(http\.request\): this call has \d+ bytes of dispatches waiting or being served and this one adds \d+; the most allowed is 33554432; a skill must await its dispatches/,
    );
    assert.equal((error.data as { reason: string }).reason, "dispatch_limit");
    assert.ok(received <= 64, `${received} requests reached the server`);
    release.resolve();
    // The engine is up and a call within the budget is served whole.
    const { result } = await client.call<{ result: { answered: number } }>(
      "skills.run",
      {
        skill: "dispatch-flood",
        tool: "flood",
        params: { count: 100, kib: 100 },
      },
    );
    assert.equal(result.answered, 100);
  } finally {
    release.resolve();
  }
});
