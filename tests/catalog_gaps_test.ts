/**
 * Issue 26's engine gaps, each with a catalog-style fixture written the way
 * published skills are (tests/fixtures/catalog-gaps), run unchanged in a
 * real engine with real sandboxed workers: programs found by the source
 * scan and permitted by the owner's `--run` grant, optional imports, the
 * zone database and `TZ`, a `@test` that cannot run, a placeholder in a
 * result, a private `HOME`, and one add rule for the CLI and the RPC.
 * Package inference (gap 5) is tests/catalog_deps_test.ts.
 */
import assert from "node:assert/strict";
import { ErrorCode } from "../engine/errors.ts";
import { EngineProcess } from "./_engine_process.ts";
import { runAgentos } from "./_cli.ts";
import { gapFixture } from "./_catalog_gaps.ts";
import { fixture, rejectsWith } from "./skills_helpers.ts";
import { git } from "./_git.ts";

type Json = Record<string, unknown>;

async function startEngine(env: Record<string, string> = {}) {
  const engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0", ...env },
  });
  const client = await engine.client();
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runAgentos(engine.paths.home, args, undefined, extra);
  const run = (skill: string, tool: string, params: Json = {}) =>
    client.call<{ result: Json; notice?: string }>("skills.run", {
      skill,
      tool,
      params,
    });
  return { engine, client, cli, run };
}

Deno.test("gap 1: a program found at its shell.run call site runs once the owner grants it, by name or by its full path", async (t) => {
  const work = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "agentos-gap1-" }),
  );
  try {
    const repo = `${work}/repo`;
    await Deno.mkdir(repo);
    await git(repo, "init", "-q");
    await git(repo, "commit", "-q", "--allow-empty", "-m", "first commit");
    if (Deno.uid() === 0) {
      await new Deno.Command("chown", { args: ["-R", "65534:65534", repo] })
        .output();
    }
    const { engine, client, cli, run } = await startEngine();
    await using _engine = engine;

    await t.step(
      "added by the CLI with no unknown-key warning; git is listed",
      async () => {
        const added = await cli(["skills", "add", gapFixture("repo-notes")]);
        assert.equal(added.code, 0, added.stdout + added.stderr);
        const validated = await cli([
          "skills",
          "validate",
          fixture("git-tool"),
        ]);
        assert.doesNotMatch(
          validated.stdout,
          /Unknown front matter key "shell"/,
        );
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const view = skills.find((s) => s.id === "repo-notes")!;
        assert.deepEqual(
          (view.programs as { name: string }[]).map((p) => p.name),
          ["git"],
        );
      },
    );

    await t.step("refused until granted, naming the command", async () => {
      await rejectsWith(
        run("repo-notes", "recent", { cwd: repo }),
        ErrorCode.SkillFailed,
        /until the owner allows it: agentos skills allow repo-notes --run git/,
      );
    });

    await t.step("granted: runs by name and by /usr/bin/git", async () => {
      const granted = await cli(
        ["skills", "allow", "repo-notes", "--run", "git", "--cwd", "repo"],
        { INIT_CWD: work },
      );
      assert.equal(granted.code, 0, granted.stderr);
      const byName = await run("repo-notes", "recent", { cwd: repo });
      assert.match(
        String((byName.result.lines as string[])[0]),
        /first commit/,
      );
      const byPath = await run("repo-notes", "recent_by_path", { cwd: repo });
      assert.equal(byPath.result.exit_code, 0);
      assert.match(
        String((byPath.result.lines as string[])[0]),
        /first commit/,
      );
    });

    await t.step(
      "a path outside the program directories, a dotted path or an ungranted program is refused",
      async () => {
        await client.call("skills.add", { path: fixture("git-tool") });
        await cli([
          "skills",
          "allow",
          "git-tool",
          "--run",
          "git",
          "--cwd",
          "repo",
        ], {
          INIT_CWD: work,
        });
        const other = (binary: string) =>
          run("git-tool", "run_other", { binary, args: ["--version"] });
        await Deno.copyFile("/usr/bin/git", `${work}/git`);
        await rejectsWith(
          other(`${work}/git`),
          ErrorCode.SkillFailed,
          /program directories/,
        );
        await rejectsWith(
          other("/usr/bin/../bin/git"),
          ErrorCode.SkillFailed,
          /program directories/,
        );
        await rejectsWith(
          other("/usr/local/bin/git/"),
          ErrorCode.SkillFailed,
          /program directories/,
        );
        await rejectsWith(
          other("/usr/bin/ls"),
          ErrorCode.SkillFailed,
          /may not run "ls" until the owner allows it/,
        );
        await rejectsWith(
          other("/bin/sh"),
          ErrorCode.SkillFailed,
          /may not run "sh"/,
        );
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("gap 2: a guarded import is optional: no refusal, no unavailable tool, one mention", async (t) => {
  const { engine, client, cli, run } = await startEngine();
  await using _engine = engine;
  const work = await Deno.makeTempDir({ prefix: "agentos-gap2-" });
  try {
    await t.step("skills add names the optional imports once", async () => {
      const added = await cli(["skills", "add", gapFixture("page-outline")]);
      assert.equal(added.code, 0, added.stdout + added.stderr);
      const lines = added.stdout.split("\n").filter((l) => /lxml/.test(l));
      assert.equal(lines.length, 1, added.stdout);
      assert.match(
        lines[0]!,
        /warning: .*optional.*lxml.*bs4|warning: .*optional.*bs4.*lxml/i,
      );
    });
    await t.step(
      "every tool is available and runs without the packages",
      async () => {
        const { skills } = await client.call<{ skills: Json[] }>("skills.list");
        const view = skills.find((s) => s.id === "page-outline")!;
        assert.ok(
          (view.tools as Json[]).every((tool) => tool.available === true),
        );
        const out = await run("page-outline", "outline", {
          text: "<h1>Title</h1><p>x</p><h2>Part</h2>",
        });
        assert.deepEqual(out.result, {
          headings: ["h1: Title", "h2: Part"],
          parser: "html.parser",
        });
      },
    );
    await t.step(
      "an import whose handler raises again is required, not optional",
      async () => {
        const dir = `${work}/reraise`;
        await Deno.mkdir(dir);
        await Deno.writeTextFile(
          `${dir}/readme.md`,
          "---\nid: reraise\nname: Reraise\n---\n",
        );
        await Deno.writeTextFile(
          `${dir}/tube.py`,
          'from agentos import returns\ntry:\n    import yt_dlp\nexcept ImportError as e:\n    raise ImportError("yt-dlp is required") from e\n\n\n@returns({"ok": "boolean"})\nasync def ok(**params):\n    """Ok."""\n    return {"ok": True}\n',
        );
        const { problems } = await client.call<{ problems: Json[] }>(
          "skills.validate",
          { path: dir },
        );
        const about = problems.filter((p) => /yt_dlp/.test(String(p.reason)));
        assert.equal(about.length, 1);
        assert.doesNotMatch(String(about[0]!.reason), /optional/i);
        assert.match(String(about[0]!.reason), /agentos skills deps reraise/);
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("gap 3: zoneinfo works with the host's zone database (read-only) and TZ", async () => {
  const { engine, client, run } = await startEngine({ TZ: "America/Chicago" });
  await using _engine = engine;
  await client.call("skills.add", { path: gapFixture("flight-times") });
  const out = await run("flight-times", "convert", {
    departs: "2026-04-02T08:00:00",
    origin: "AUS",
    dest: "LHR",
    minutes: 570,
  });
  assert.deepEqual(out.result, {
    departs_utc: "2026-04-02T13:00:00+00:00",
    arrives_local: "2026-04-02T23:30:00+01:00",
    host_zone: "CST",
  });
  await client.call("skills.add", { path: fixture("sandbox-probe") });
  const probe = await run("sandbox-probe", "environment");
  const env = probe.result.env as Record<string, string>;
  assert.equal(env.TZ, "America/Chicago");
});

Deno.test("gap 3: a TZ that is not a zone name does not reach the sandbox", async () => {
  const { engine, client, run } = await startEngine({
    TZ: "../../../etc/passwd",
  });
  await using _engine = engine;
  await client.call("skills.add", { path: fixture("sandbox-probe") });
  const probe = await run("sandbox-probe", "environment");
  assert.equal((probe.result.env as Json).TZ, undefined);
});

Deno.test("gap 4: a @test that leaves out a required parameter is a warning and is skipped with the reason", async (t) => {
  const { engine, client, cli } = await startEngine();
  await using _engine = engine;
  await t.step("validate and add warn, and add", async () => {
    const validated = await cli([
      "skills",
      "validate",
      gapFixture("quote-board"),
    ]);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    assert.match(validated.stdout, /warning: @test leaves out "symbol"/);
    const added = await cli(["skills", "add", gapFixture("quote-board")]);
    assert.equal(added.code, 0, added.stdout + added.stderr);
  });
  await t.step(
    "skills test skips that case with the reason, runs the others",
    async () => {
      const report = await client.call<
        { cases: Json[]; failed: number; skipped: number; passed: number }
      >(
        "skills.test",
        { skill: "quote-board" },
      );
      assert.equal(report.failed, 0, JSON.stringify(report.cases));
      assert.equal(report.passed, 1);
      assert.equal(report.skipped, 1);
      const skipped = report.cases.find((c) => c.status === "skipped")!;
      assert.equal(skipped.tool, "price_line");
      assert.match(String(skipped.reason), /leaves out "symbol"/);
    },
  );
});

Deno.test("gap 6: a result carrying a placeholder says why and names the --secrets grant", async () => {
  const { engine, client, cli, run } = await startEngine();
  await using _engine = engine;
  await client.call("skills.add", { path: gapFixture("token-echo") });
  await client.call("secrets.set", {
    domain: "echo.test",
    value: "live-key-123",
  });
  const out = await run("token-echo", "show_key");
  assert.match(String(out.result.key), /^agentos-secret-[0-9a-f]{32}$/);
  assert.match(
    String(out.notice),
    /placeholder.*agentos skills allow token-echo --secrets/s,
  );
  const printed = await cli(["skills", "run", "token-echo", "show_key"]);
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(
    printed.stderr + printed.stdout,
    /agentos skills allow token-echo --secrets/,
  );
  await client.call("skills.allow", { skill: "token-echo", secrets: true });
  const real = await run("token-echo", "show_key");
  assert.equal(real.result.key, "live-key-123");
  assert.equal(real.notice, undefined);
});

Deno.test("gap 7: HOME is a private empty directory (the call's /tmp), fresh for every call", async () => {
  const { engine, client, run } = await startEngine();
  await using _engine = engine;
  await client.call("skills.add", { path: gapFixture("home-cache") });
  const first = await run("home-cache", "remember", { note: "one" });
  assert.deepEqual(first.result.entries_before, []);
  assert.equal(first.result.home, "/tmp", "the call's private /tmp");
  assert.equal(first.result.read_back, "one");
  const home = String(first.result.home);
  assert.ok(home.startsWith("/"), home);
  assert.ok(!home.startsWith(engine.paths.home), "not the engine's home");
  assert.notEqual(home, Deno.env.get("HOME"));
  const second = await run("home-cache", "remember", { note: "two" });
  assert.deepEqual(
    second.result.entries_before,
    [],
    "nothing kept between calls",
  );
});

Deno.test("gap 8: the CLI and skills.add apply one rule: refused only when no tool can run", async () => {
  const { engine, client, cli } = await startEngine();
  await using _engine = engine;
  const partial = await cli(["skills", "add", fixture("broken-source")]);
  assert.equal(partial.code, 0, partial.stdout + partial.stderr);
  assert.match(partial.stdout, /bad\.py:6: error: Syntax error/);
  await client.call("skills.add", { path: fixture("half-working") });
  const cliHalf = await cli(["skills", "add", fixture("half-working")]);
  assert.equal(cliHalf.code, 0, cliHalf.stdout + cliHalf.stderr);
  const refused = await cli(["skills", "add", fixture("nothing-runs")]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /no tool .*can run|cannot run at all/i);
  await rejectsWith(
    client.call("skills.add", { path: fixture("nothing-runs") }),
    ErrorCode.InvalidParams,
    /cannot run at all/,
  );
  const forced = await cli([
    "skills",
    "add",
    "--force",
    fixture("nothing-runs"),
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  await client.call("skills.add", {
    path: fixture("nothing-runs"),
    force: true,
  });
});
