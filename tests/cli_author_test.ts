/**
 * A skill author's path through the CLI against a real engine: `skills new`
 * scaffolds a skill that validates and tests offline; `skills validate` and
 * `skills add` name each problem with file and line and refuse errors;
 * a failing tool shows its own traceback and what it printed; wrong input
 * is refused with usage and a "did you mean".
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";

const BROKEN_README = `---
id: broken-author
nam: Broken
---
`;

const BROKEN_PY = `import socket
import time
from agentos import client, returns, test


@returns("tasks")
async def fetch(q: str, **params):
    """Fetch."""
    client.get("/x")
    return {"name": q}


@returns("task")
@test(params={"x": 1})
async def slow(q: str, **params):
    """Slow."""
    time.sleep(1)
    return {"name": q, "colour": "red"}
`;

const FAILING_PY = `from agentos import returns, test

REASON = "the upstream answered with a page this tool cannot read: " + "x" * 80


def parse(data):
    print("parsing", sorted(data))
    return data["missing"]


@returns({"value": "string"})
@test(params={})
async def explode(**params):
    """Fails in a helper, after printing."""
    return {"value": parse({"present": 1})}


@returns({"value": "string"})
@test(params={})
async def refuse(**params):
    """Fails with a long reason."""
    raise ValueError(REASON)
`;

Deno.test("agentos skills new, validate, add and test, and the CLI's refusals", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;
  const work = await Deno.makeTempDir({ prefix: "agentos-author-" });
  const cli = (...args: string[]) =>
    runAgentos(home, args, undefined, { INIT_CWD: work });
  try {
    await t.step(
      "skills new scaffolds a skill that validates and passes its test offline",
      async () => {
        let run = await cli("skills", "new", "demo-skill");
        assert.equal(run.code, 0, run.stderr);
        run = await cli("skills", "validate", "demo-skill");
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(
          run.stdout,
          /demo-skill: 1 tool \(search\); 0 errors, 0 warnings/,
        );
        run = await cli("skills", "add", "demo-skill");
        assert.equal(run.code, 0, run.stdout + run.stderr);
        run = await cli(
          "skills",
          "test",
          "demo-skill",
          "--replay",
          "demo-skill/fixtures/search.recording.json",
        );
        assert.equal(run.code, 0, run.stdout + run.stderr);
        assert.match(run.stdout, /1 passed, 0 failed/);
        run = await cli("skills", "new", "demo-skill");
        assert.equal(run.code, 1);
        assert.match(run.stderr, /already exists/);
      },
    );

    await t.step(
      "validate and add name every problem with file:line; a skill whose code loads is added with them",
      async () => {
        const dir = join(work, "broken");
        await Deno.mkdir(dir);
        await Deno.writeTextFile(join(dir, "readme.md"), BROKEN_README);
        await Deno.writeTextFile(join(dir, "broken.py"), BROKEN_PY);
        const run = await cli("skills", "validate", "broken");
        assert.equal(run.code, 1);
        for (
          const line of [
            'broken/readme.md:1: error: Front matter has no "name"',
            'broken/readme.md:1: warning: Unknown front matter key "nam" (did you mean "name"?)',
            'broken/broken.py:1: error: Import of "socket" is not allowed',
            'broken/broken.py:7: error: @returns("tasks"): there is no shape "tasks" (did you mean "task"?)',
            "broken/broken.py:9: error: fetch() calls client.get() without await",
            'broken/broken.py:15: warning: Tool slow returns "colour", not a field of shape "task"',
            'broken/broken.py:15: warning: @test leaves out "q", which slow requires: skills test skips this case',
            "broken/broken.py:9: error: Uses http but the readme does not declare it",
            "broken/broken.py:17: error: time.sleep() in async slow() blocks the worker",
          ]
        ) {
          assert.ok(
            run.stdout.includes(line),
            `${line}\nnot in:\n${run.stdout}`,
          );
        }
        // One rule for every caller: refused only when nothing can run.
        const add = await cli("skills", "add", "broken");
        assert.equal(add.code, 0, add.stderr);
        assert.ok(
          add.stdout.includes(
            'broken/readme.md:1: error: Front matter has no "name"',
          ),
        );
        const list = await cli("skills", "list", "--json");
        assert.ok(list.stdout.includes("broken-author"));
        const test = await cli("skills", "test", "broken-author");
        assert.equal(test.code, 1);
        assert.match(test.stdout, /the skill has 6 problems/);
      },
    );

    await t.step(
      "a skill with a syntax error and no tools fails add and test",
      async () => {
        const dir = join(work, "syntax");
        await Deno.mkdir(dir);
        await Deno.writeTextFile(
          join(dir, "readme.md"),
          "---\nid: syntax-error\nname: Syntax\n---\n",
        );
        await Deno.writeTextFile(join(dir, "tool.py"), "def broken(:\n");
        const add = await cli("skills", "add", "syntax");
        assert.equal(add.code, 1);
        assert.match(add.stdout, /syntax\/tool\.py:1: error: Syntax error/);
        await cli("skills", "add", "--force", "syntax");
        const test = await cli("skills", "test", "syntax-error");
        assert.equal(test.code, 1);
        assert.match(
          test.stdout,
          /0 passed, 0 failed, 0 skipped; the skill has 1 problem/,
        );
      },
    );

    await t.step(
      "a failing tool shows its own traceback and what it printed",
      async () => {
        const dir = join(work, "failing");
        await Deno.mkdir(dir);
        await Deno.writeTextFile(
          join(dir, "readme.md"),
          "---\nid: failing\nname: Failing\n---\n",
        );
        await Deno.writeTextFile(join(dir, "failing.py"), FAILING_PY);
        assert.equal((await cli("skills", "add", "failing")).code, 0);
        let run = await cli("skills", "run", "failing", "explode");
        assert.equal(run.code, 1);
        assert.equal(run.stdout, "");
        assert.match(run.stderr, /KeyError: 'missing'/);
        assert.match(
          run.stderr,
          /File "\/skill\/failing\.py", line 15, in explode/,
        );
        assert.match(
          run.stderr,
          /File "\/skill\/failing\.py", line 8, in parse/,
        );
        assert.doesNotMatch(run.stderr, /\/sdk\/|_worker\.py/);
        assert.match(
          run.stderr,
          /The skill printed \(last lines\):\n {2}parsing \['present'\]/,
        );

        run = await cli("skills", "run", "failing", "explode", "--json");
        assert.equal(run.code, 1);
        const error = JSON.parse(run.stdout).error;
        assert.match(error.data.traceback, /line 8, in parse/);
        assert.match(error.data.output, /parsing/);

        run = await cli(
          "call",
          "skills.run",
          '{"skill": "failing", "tool": "explode"}',
        );
        assert.equal(run.code, 1);
        assert.match(run.stderr, /skills\.run failed \(-32007\)/);
        assert.match(run.stderr, /line 8, in parse/);

        run = await cli("skills", "test", "failing");
        assert.equal(run.code, 1);
        assert.ok(
          run.stdout.includes(
            `ValueError: the upstream answered with a page this tool cannot read: ${
              "x".repeat(80)
            }`,
          ),
          run.stdout,
        );
        assert.match(run.stdout, /line 22, in refuse/);
        const log = await Deno.readTextFile(engine.paths.engineLog);
        assert.match(log, /line 8, in parse/);
      },
    );

    await t.step("skills run --json prints only JSON on stdout", async () => {
      const run = await cli(
        "skills",
        "run",
        "demo-skill",
        "search",
        '{"query": "tea"}',
        "--json",
        "--no-remember",
      );
      // No network here: what matters is that stdout is one JSON document.
      JSON.parse(run.stdout);
    });

    await t.step(
      "wrong input is refused with usage, and near misses get a suggestion",
      async () => {
        const cases: [string[], RegExp][] = [
          [
            ["graph", "list", "--limit", "abc"],
            /--limit must be a whole number from 1 to 500, got "abc"[\s\S]*Usage: agentos graph list/,
          ],
          [
            ["graph", "get", "a", "b"],
            /Unexpected argument "b": graph get takes at most 1[\s\S]*Usage: agentos graph get <id>/,
          ],
          [
            ["graph", "list", "--bogus"],
            /Unknown option '--bogus'[\s\S]*Usage: agentos graph list/,
          ],
          [["audit", "tail", "-n", "0"], /-n must be a whole number from 1/],
          [
            ["grpah", "list"],
            /Unknown command "grpah" \(did you mean "graph"\?\)/,
          ],
          [
            ["graph", "lsit"],
            /Unknown command "graph lsit" \(did you mean "graph list"\?\)/,
          ],
          [
            ["graph", "list", "tasks"],
            /Unknown shape "tasks" \(did you mean "task"\?\); see agentos shapes list/,
          ],
          [
            ["shapes", "get", "persn"],
            /\(did you mean "person"\?\); see agentos shapes list/,
          ],
          [
            ["skills", "run", "demo-skil", "search"],
            /No skill "demo-skil" \(did you mean "demo-skill"\?\); see agentos skills list/,
          ],
          [
            ["skills", "run", "demo-skill", "serch"],
            /has no tool "serch" \(did you mean "search"\?\)/,
          ],
        ];
        for (const [args, expected] of cases) {
          const run = await cli(...args);
          assert.equal(run.code, 1, args.join(" "));
          assert.match(run.stderr, expected, args.join(" "));
          assert.doesNotMatch(
            run.stderr,
            /\b(graph|shapes|skills)\.(list|get|run) failed/,
          );
        }
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
