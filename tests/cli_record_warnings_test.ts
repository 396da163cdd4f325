/**
 * Issue #28 item 4: the warnings a call's records raise (a value that is
 * not of its field's type, a child record that cannot be found again and
 * is dropped) reach the person — `skills run` prints them on stderr, with
 * or without --no-remember, `skills test` reports them per case — and a
 * test case's `expect` (shape, min_count, values) is checked.
 *
 * @module
 */
import assert from "node:assert/strict";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { fixture } from "./skills_helpers.ts";

const NOT_A_NUMBER = /warning: \[0\]\.likes: .*lots/;
const DROPPED =
  /warning: \[0\]\.author: account has none of its identity fields; dropped/;

Deno.test("record warnings reach stderr and skills test; expect is checked", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;
  const client = await engine.client();
  await client.call("skills.add", { path: fixture("record-checks") });

  await t.step(
    "skills run --no-remember: the warnings still show, nothing is stored",
    async () => {
      const before = await client.call<{ total?: number; items?: unknown[] }>(
        "graph.list",
        { shape: "post" },
      );
      const run = await runAgentos(home, [
        "skills",
        "run",
        "record-checks",
        "posts",
        "likes=lots",
        "--no-remember",
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /not remembered/);
      assert.match(run.stderr, NOT_A_NUMBER);
      assert.match(run.stderr, DROPPED);
      const after = await client.call<{ total?: number; items?: unknown[] }>(
        "graph.list",
        { shape: "post" },
      );
      // Run first, on an empty graph: a rehearsal that kept its records
      // would leave posts behind.
      assert.deepEqual(after, before, "a rehearsal stores nothing");
      assert.equal(after.items?.length, 0);
    },
  );

  await t.step(
    "skills run: stdout is the result, the warnings are on stderr",
    async () => {
      const run = await runAgentos(home, [
        "skills",
        "run",
        "record-checks",
        "posts",
        "likes=lots",
      ]);
      assert.equal(run.code, 0, run.stderr);
      const result = JSON.parse(run.stdout);
      assert.equal(result.length, 2, "stdout holds only the result");
      assert.match(run.stderr, NOT_A_NUMBER);
      assert.match(run.stderr, DROPPED);
    },
  );

  await t.step(
    "skills test: warnings per case, each expect checked",
    async () => {
      const run = await runAgentos(home, ["skills", "test", "record-checks"]);
      assert.equal(run.code, 1, "failed expectations fail the run");
      assert.match(run.stdout, /1 passed, 3 failed, 0 skipped/);
      assert.match(run.stdout, /expected at least 3 records, got 2/);
      assert.match(run.stdout, /expected a record with \{"name":"Post 9"\}/);
      assert.match(
        run.stdout,
        /expected records of shape "note", got one of "post"/,
      );
      assert.match(run.stdout, NOT_A_NUMBER);
      assert.match(run.stdout, DROPPED);
      const json = JSON.parse(
        (await runAgentos(home, ["skills", "test", "record-checks", "--json"]))
          .stdout,
      );
      const [passed, fewer] = json.cases;
      assert.equal(passed.status, "passed");
      assert.ok(
        passed.warnings.some((w: string) => /dropped/.test(w)),
        "a passing case still carries its warnings",
      );
      assert.equal(fewer.status, "failed");
      assert.ok(fewer.warnings.some((w: string) => /lots/.test(w)));
    },
  );

  await t.step(
    "a malformed expect is a validation error, said plainly",
    async () => {
      const dir = `${home}/bad-expect`;
      await Deno.mkdir(dir);
      try {
        await Deno.writeTextFile(
          `${dir}/readme.md`,
          "---\nid: bad-expect\nname: Bad expect\ndescription: x\n---\n",
        );
        await Deno.writeTextFile(
          `${dir}/bad.py`,
          `from agentos import returns, test


@returns("post[]")
@test(expect={"min_cout": 1, "shape": 3})
async def posts(**params):
    """Nothing."""
    return []
`,
        );
        const run = await runAgentos(home, ["skills", "validate", dir]);
        assert.equal(run.code, 1, run.stdout);
        const text = run.stdout + run.stderr;
        assert.match(
          text,
          /unknown key "min_cout" \(did you mean "min_count"\?\)/,
        );
        assert.match(text, /expect\.shape must be a shape name/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
});
