/**
 * One call never runs more than a few nested capability calls at once.
 * Each `capability.call` is a sandboxed worker of its provider, started on
 * the engine's thread, and a call may have 64 dispatches in flight: a
 * hostile skill that asked `web_read` for 64 pages at once held 64
 * sandboxes (about 1 GB of Python) and froze another client's
 * `graph.list` for 480 ms while they started, a burst it can repeat for
 * as long as its call runs. Now one call's nested calls run at most
 * `MAX_CONCURRENT_NESTED` (4) at a time and the rest wait their turn: its
 * own host sees no more than 4 of its pages asked for at once, and every
 * page is still read. Real engine, real sandboxed workers (the bundled
 * web-reader serves `web_read`), a real server standing in for the
 * skill's host.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";
import { MAX_CONCURRENT_NESTED } from "../engine/workers/nested_call.ts";

/** Pages the hostile call asks for at once. */
const PAGES = 16;

/** How long the host holds each page: every nested call's worker is alive meanwhile. */
const HOLD_MS = 1500;

Deno.test("a skill's nested capability calls run a few at a time, not 64 sandboxes at once", async () => {
  let open = 0;
  let peak = 0;
  await using host = localServer(async () => {
    open++;
    peak = Math.max(peak, open);
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    open--;
    return new Response("<html><title>page</title>text</html>", {
      headers: { "content-type": "text/html" },
    });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "1",
      AGENTOS_ORIGIN_MAP: JSON.stringify({ "https://fan.test": host.origin }),
    },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/nest-fanout`,
  });
  const run = await client.call<{ result: { answered: number } }>(
    "skills.run",
    { skill: "nest-fanout", tool: "fan", params: { count: PAGES } },
  );
  assert.equal(run.result.answered, PAGES, "every page was still read");
  assert.equal(host.requests.length, PAGES);
  assert.ok(
    peak <= MAX_CONCURRENT_NESTED,
    `one call ran ${peak} nested calls at once (at most ${MAX_CONCURRENT_NESTED})`,
  );
});
