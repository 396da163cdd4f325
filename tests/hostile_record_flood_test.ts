/**
 * No skill result holds the engine's graph writes. A hostile tool returned
 * 100,000 tiny records (about 4 MiB, well under the 16 MiB result line):
 * all were written in one transaction on the engine's thread, and another
 * client's `graph.list` waited 8 s for it (a result of 2,000,000 items
 * that are not records gave 2,000,000 warnings, and the reply never
 * reached the caller). Now one call stores at most 10,000 records (as
 * `graph.import` takes; one warning names the rest) in transactions of
 * 100, the engine serving other clients between two: the other client
 * sees the records arrive part by part, and waits a fraction of that.
 * Real engine, real sandboxed worker, the real graph.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { REPO_ROOT } from "./_task_command.ts";

/** Records the hostile result holds. */
const COUNT = 100_000;

/** Longest another client's graph.list may wait (8 s before; about 0.2 s now on a loaded host). */
const MAX_WAIT_MS = 1500;

Deno.test("a result of 100,000 records never holds another client's graph.list", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const client = await engine.client();
  const other = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/record-flood`,
  });
  let returned = false;
  const run = client.call<{
    records: { created: number; warnings: string[] };
  }>("skills.run", {
    skill: "record-flood",
    tool: "flood",
    params: { count: COUNT },
  }).finally(() => returned = true);
  const waits: number[] = [];
  let partial = false;
  const named = async (name: string) => {
    const started = performance.now();
    const page = await other.call<{ items: unknown[] }>("graph.list", {
      shape: "webpage",
      where: { name },
      limit: 1,
    });
    waits.push(performance.now() - started);
    return page.items.length > 0;
  };
  const deadline = performance.now() + 120_000;
  while (!returned && performance.now() < deadline) {
    // Records are only added: the last stored one missing, then the first
    // found, means the other client was served between two commits.
    const last = await named("p9999");
    const first = await named("p0");
    if (first && !last) partial = true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const { records } = await run;
  const longest = Math.max(...waits);
  // deno-lint-ignore no-console
  console.log(
    `another client's graph.list during a ${COUNT}-record result: ${waits.length} answers, longest ${
      longest.toFixed(0)
    } ms`,
  );
  assert.equal(records.created, 10_000, "at most 10,000 records stored");
  assert.deepEqual(records.warnings, [
    "90000 records past the first 10000 left out: one call stores at most 10000",
  ]);
  assert.ok(
    partial,
    "the other client saw the records arrive part by part (the engine served it between two transactions)",
  );
  assert.ok(
    longest < MAX_WAIT_MS,
    `another client's graph.list waited ${longest.toFixed(0)} ms`,
  );
});
