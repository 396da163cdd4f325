/**
 * No skill takes the engine's query runners from the others (#25, item
 * 6): a hostile skill with `sql` starts 60 queries at once, each a
 * recursive query that spins to its deadline (10 s), and its call ends
 * at its 3 s timeout. The engine runs 4 queries at once; before, the
 * other 56 waited in one line for every skill and still ran after the
 * call had ended, so another skill's `SELECT 1` waited behind 60 × 10 s
 * / 4 of them (over 30 s here, unanswered). Now a skill holds at most
 * half the runners, and its waiting queries go (its running ones are
 * killed) when its call ends: the other skill's query answers while the
 * hostile call runs, and at once after it. Real engine, real sandboxed
 * workers and query runners.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";
import { REPO_ROOT } from "./_task_command.ts";

/** Longest the other skill's query may wait: one spinning query's deadline and start-up. */
const MAX_WAIT_MS = 15_000;

/** Longest the hostile skill's own next query may wait once its call ended (less than a spinning query's 10 s). */
const MAX_NEXT_MS = 5_000;

/** Runs a `SELECT 1` as a skill; resolves with how long it waited, or Infinity past twice the bound. */
async function otherQuery(
  client: Awaited<ReturnType<EngineProcess["client"]>>,
  skill = "sql-reader",
): Promise<number> {
  const started = performance.now();
  const other = client.call<{ result: { rows: unknown[] } }>("skills.run", {
    skill,
    tool: skill === "sql-reader" ? "query" : "one",
    params: skill === "sql-reader" ? { text: "SELECT 1 AS one" } : {},
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = await Promise.race([
    other.then((out) => {
      assert.deepEqual(out.result.rows, [{ one: 1 }]);
      return performance.now() - started;
    }),
    new Promise<number>((resolve) => {
      timer = setTimeout(
        () => resolve(Number.POSITIVE_INFINITY),
        MAX_WAIT_MS * 2,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  return waited;
}

Deno.test("A skill's spinning queries never keep another skill's sql.query waiting", async () => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "2" },
  });
  const client = await engine.client();
  await client.call("skills.add", {
    path: `${REPO_ROOT}tests/fixtures/hostile/sql-hog`,
  });
  await client.call("skills.add", { path: fixture("sql-reader") });
  let hogEnded = 0;
  const hog = client.call("skills.run", {
    skill: "sql-hog",
    tool: "hog",
    params: { count: 60 },
  }).then(() => "returned", (error: Error) => error.message)
    .finally(() => hogEnded = performance.now());
  // The hog's queries have reached the engine and hold what it may.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const during = await otherQuery(client);
  const answered = performance.now();
  assert.match(await hog, /timed out|timeout|did not finish/i);
  // The ended call's queries are gone, waiting or running: the same
  // skill's next call does not queue behind 58 of them (or two that spin on).
  const next = await otherQuery(client, "sql-hog");
  const after = await otherQuery(client);
  // deno-lint-ignore no-console
  console.log(
    `another skill's SELECT 1 while the hog runs: ${
      during.toFixed(0)
    } ms; after its call ended: ${after.toFixed(0)} ms; the hog's next: ${
      next.toFixed(0)
    } ms`,
  );
  assert.ok(
    during < MAX_WAIT_MS && answered < hogEnded,
    `another skill's query waited ${
      during.toFixed(0)
    } ms, until the hog's call had ended`,
  );
  assert.ok(
    next < MAX_NEXT_MS,
    `the hog's next call waited ${
      next.toFixed(0)
    } ms: its ended call's queries still held the runners`,
  );
  assert.ok(
    after < MAX_WAIT_MS,
    `another skill's query waited ${
      after.toFixed(0)
    } ms behind the queries of a call that had ended`,
  );
});
