/**
 * The `agentos skills` and `agentos prefs` commands against a real engine,
 * and a new skill written by following docs/skills.md: added, listed, run,
 * tested, and its records seen with `agentos graph list`.
 */
import assert from "node:assert/strict";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { fixture, localServer } from "./skills_helpers.ts";

Deno.test("agentos skills and prefs commands", async (t) => {
  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "1" },
  });
  const home = engine.paths.home;
  const cli = (...args: string[]) => runAgentos(home, args);

  await t.step(
    "skills list prints a table of skills, tools and problems",
    async () => {
      const refused = await cli("skills", "add", fixture("nothing-runs"));
      assert.equal(refused.code, 1);
      assert.match(
        refused.stdout,
        /nothing-runs\/only\.py:6: error: Syntax error/,
      );
      assert.match(refused.stderr, /Not added: the skill cannot run at all/);
      const forced = await cli(
        "skills",
        "add",
        "--force",
        fixture("nothing-runs"),
      );
      assert.equal(forced.code, 0, forced.stderr);
      const partly = await cli("skills", "add", fixture("broken-source"));
      assert.equal(partly.code, 0, partly.stderr);
      const { code, stdout } = await cli("skills", "list");
      assert.equal(code, 0);
      assert.match(stdout, /^ID\s+ENABLED\s+ORIGIN\s+NEEDS\s+USES\s+PROVIDES/m);
      assert.match(
        stdout,
        /^web-reader\s+yes\s+bundled\s+http, open_web\s+web_read/m,
      );
      assert.match(
        stdout,
        /^openai-compatible\s+chat\s+prompt: string, messages: array/m,
      );
      assert.match(stdout, /broken-source: bad\.py:6: Syntax error/);
      const json = JSON.parse((await cli("skills", "list", "--json")).stdout);
      assert.ok(json.skills.some((s: { id: string }) => s.id === "feeds"));
    },
  );

  await t.step(
    "skills add, run, test, disable, enable and remove",
    async () => {
      let run = await cli("skills", "add", fixture("cap-ok"));
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Added skill cap-ok \(tools: echo\)/);
      run = await cli("skills", "add", fixture("cap-ok"));
      assert.match(run.stdout, /Updated skill cap-ok/);
      run = await cli("skills", "run", "cap-ok", "echo", '{"text": "hello"}');
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { echo: "hello", by: "cap-ok" });
      run = await cli("skills", "run", "cap-ok", "echo", "{}");
      assert.equal(run.code, 1);
      assert.match(run.stderr, /needs the parameter "text"/);
      run = await cli("skills", "test", "cap-ok");
      assert.equal(run.code, 0);
      assert.match(run.stdout, /0 passed, 0 failed, 0 skipped/);
      run = await cli("skills", "disable", "cap-ok");
      assert.match(run.stdout, /Skill cap-ok disabled/);
      run = await cli("skills", "run", "cap-ok", "echo", '{"text": "x"}');
      assert.equal(run.code, 1);
      assert.match(run.stderr, /is disabled/);
      await cli("skills", "enable", "cap-ok");
      run = await cli("skills", "remove", "cap-ok");
      assert.match(run.stdout, /Removed skill cap-ok/);
      // A relative path means the caller's directory (INIT_CWD), here the checkout.
      run = await cli("skills", "add", "relative/path");
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        new RegExp(
          `"${REPO_ROOT.replace(/\/$/, "")}/relative/path" does not exist`,
        ),
      );
    },
  );

  await t.step("prefs set and get", async () => {
    let run = await cli("prefs", "set", "capability.llm", "openai-compatible");
    assert.equal(run.code, 0, run.stderr);
    run = await cli("prefs", "get", "capability.llm");
    assert.equal(run.stdout.trim(), "openai-compatible");
    run = await cli(
      "prefs",
      "set",
      "http.origin_map",
      '{"https://a.example": "http://127.0.0.1:9"}',
    );
    assert.equal(run.code, 0, run.stderr);
    run = await cli("prefs", "get", "http.origin_map", "--json");
    assert.deepEqual(JSON.parse(run.stdout), {
      "https://a.example": "http://127.0.0.1:9",
    });
    run = await cli("prefs", "get");
    assert.match(run.stdout, /capability\.llm\s+openai-compatible/);
    run = await cli("prefs", "set", "http.origin_map", "[1]");
    assert.equal(run.code, 1);
    await cli("prefs", "set", "http.origin_map", "null");
    run = await cli("prefs", "get", "http.origin_map");
    assert.equal(run.stdout.trim(), "(not set)");
  });

  await t.step("every command has --help", async () => {
    for (
      const words of [
        ["skills", "list"],
        ["skills", "add"],
        ["skills", "remove"],
        ["skills", "enable"],
        ["skills", "disable"],
        ["skills", "run"],
        ["skills", "test"],
        ["prefs", "get"],
        ["prefs", "set"],
      ]
    ) {
      const run = await cli(...words, "--help");
      assert.equal(run.code, 0, words.join(" "));
      assert.match(run.stdout, new RegExp(`agentos ${words.join(" ")}`));
    }
  });
});

Deno.test("a new skill written from docs/skills.md is added, listed, run, tested and its records listed", async () => {
  // The example files are the docs' fenced blocks marked `file=<path>`.
  const docs = await Deno.readTextFile(`${REPO_ROOT}docs/skills.md`);
  const dir = await Deno.makeTempDir({ prefix: "agentos-doc-skill-" });
  const blocks = [
    ...docs.matchAll(/```\w+ file=(quotes\/\S+)\n([\s\S]*?)```/g),
  ];
  assert.deepEqual(blocks.map((b) => b[1]), [
    "quotes/readme.md",
    "quotes/quotes.py",
  ]);
  for (const [, path, text] of blocks) {
    await Deno.mkdir(`${dir}/${path!.split("/")[0]}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text!);
  }
  await using server = localServer((_request, url) => {
    const limit = Number(url.searchParams.get("limit") ?? 3);
    return Response.json(
      Array.from({ length: limit }, (_, n) => ({
        _id: `q${n}`,
        author: `Author ${n}`,
        content: `Quote number ${n} is wise.`,
      })),
    );
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.quotable.io": server.origin,
      }),
    },
  });
  const cli = (...args: string[]) => runAgentos(engine.paths.home, args);
  try {
    let run = await cli("skills", "add", `${dir}/quotes`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Added skill quotes \(tools: random_quotes\)/);
    run = await cli("skills", "list");
    assert.match(
      run.stdout,
      /^quotes\s+random_quotes\s+limit: integer\s+note\[\]\s+20s\s+1/m,
    );
    run = await cli("skills", "run", "quotes", "random_quotes", '{"limit": 2}');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Records: 2 created, 0 updated/);
    run = await cli("skills", "test", "quotes");
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /1 passed, 0 failed/);
    run = await cli("graph", "list", "note");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Author 0: Quote number 0 is wise\./);
    assert.match(run.stdout, /Author 1: Quote number 1 is wise\./);
    assert.deepEqual(server.requests, [
      "GET /quotes/random?limit=2",
      "GET /quotes/random?limit=2",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
