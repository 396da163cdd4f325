/**
 * docs/skills.md runs as written: its files (fenced blocks marked
 * `file=<path>`) are written into a directory, and its `sh run` blocks are
 * run line by line, in order, with the real CLI against a real engine, from
 * that directory (`cd` moves along). A line ending in `# fails` must fail;
 * every other line must succeed. The Plant Care API is a local server.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { EngineProcess } from "./_engine_process.ts";
import { type CliRun, runAgentos } from "./_cli.ts";
import { REPO_ROOT } from "./_task_command.ts";
import { localServer } from "./skills_helpers.ts";

const KEY = "pk-live-1234";

/** Splits a shell line into words, honouring single and double quotes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    words.push(match[1] ?? match[2]?.replace(/\\(.)/g, "$1") ?? match[3]!);
  }
  return words;
}

/** The line without a trailing `# comment` (outside quotes). */
function withoutComment(line: string): { code: string; comment: string } {
  let quote = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || line[i - 1] === " ")) {
      return { code: line.slice(0, i).trim(), comment: line.slice(i + 1) };
    }
  }
  return { code: line.trim(), comment: "" };
}

Deno.test("docs/skills.md: every file and `sh run` block works as written", async () => {
  const docs = await Deno.readTextFile(join(REPO_ROOT, "docs", "skills.md"));
  const work = await Deno.makeTempDir({ prefix: "agentos-docs-" });
  for (
    const [, path, text] of docs.matchAll(/```\w+ file=(\S+)\n([\s\S]*?)```/g)
  ) {
    await Deno.mkdir(dirname(join(work, path!)), { recursive: true });
    await Deno.writeTextFile(join(work, path!), text!);
  }
  // Each block starts from the directory holding the guide's files.
  const lines = [...docs.matchAll(/```sh run\n([\s\S]*?)```/g)]
    .flatMap((block) => ["cd /", ...block[1]!.split("\n")])
    .filter((line) => line.trim() !== "");
  assert.ok(lines.length >= 14, "the guide's runnable examples were found");

  const seen: string[] = [];
  await using server = localServer((request, url) => {
    seen.push(`${request.method} ${url.pathname}${url.search}`);
    if (request.headers.get("x-api-key") !== KEY) {
      return Response.json({ error: "bad key" }, { status: 401 });
    }
    return Response.json({
      plants: [{
        id: "p1",
        nickname: "Fern in the window",
        species: "Nephrolepis exaltata",
        room: url.searchParams.get("room") ?? "hall",
        last_watered: "2026-11-28T08:00:00Z",
      }],
    });
  });
  await using engine = await EngineProcess.start({
    env: {
      AGENTOS_SPARE_WORKERS: "0",
      AGENTOS_ORIGIN_MAP: JSON.stringify({
        "https://api.plantcare.example": server.origin,
      }),
    },
  });
  const runs = new Map<string, CliRun>();
  let cwd = work;
  try {
    for (const line of lines) {
      const { code, comment } = withoutComment(line);
      if (code === "cd /") {
        cwd = work;
        continue;
      }
      if (code.startsWith("cd ")) {
        cwd = join(cwd, code.slice(3).trim());
        continue;
      }
      let stdin: string | undefined;
      let command = code;
      const piped = /^printf %s (.+?) \| (agentos .*)$/.exec(code);
      if (piped) {
        stdin = shellWords(piped[1]!)[0];
        command = piped[2]!;
      }
      const words = shellWords(command);
      assert.equal(words[0], "agentos", `a docs line runs agentos: ${line}`);
      const run = await runAgentos(
        engine.paths.home,
        words.slice(1),
        stdin,
        { INIT_CWD: cwd },
      );
      const fails = /\bfails\b/.test(comment);
      assert.equal(
        run.code,
        fails ? 1 : 0,
        `${line}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`,
      );
      runs.set(fails ? `${code} # fails` : code, run);
    }
    // What the guide says each step shows.
    const plantsRun =
      `agentos skills run plants list_plants '{"room": "kitchen"}'`;
    assert.match(
      runs.get(`${plantsRun} # fails`)!.stderr,
      /agentos secrets set plantcare\.example/,
    );
    const listed = runs.get(plantsRun)!;
    assert.match(
      runs.get(
        "agentos skills test hello-api --replay fixtures/search.recording.json",
      )!
        .stdout,
      /1 passed, 0 failed/,
    );
    assert.match(listed.stdout, /Fern in the window/);
    assert.match(
      runs.get("agentos graph list plant")!.stdout,
      // The shape's display fields: title, subtitle and date.
      /plant\s+Fern in the window\s+Nephrolepis exaltata\s+2026-11-28T08:00/,
    );
    const tape = await Deno.readTextFile(join(work, "plants.tape.json"));
    assert.ok(!tape.includes(KEY), "the recording holds no credential");
    assert.match(
      runs.get("agentos skills test plants --replay plants.tape.json")!.stdout,
      /1 passed, 0 failed/,
    );
    // The guide's expect={...} is checked: the same case with a stricter
    // expectation fails, naming what it found.
    const strict = await runAgentos(engine.paths.home, [
      "skills",
      "test",
      "plants",
      "--replay",
      join(work, "plants.tape.json"),
    ]);
    assert.equal(strict.code, 0, strict.stdout);
    await Deno.writeTextFile(
      join(work, "plants", "plants.py"),
      (await Deno.readTextFile(join(work, "plants", "plants.py")))
        .replace('"min_count": 1', '"min_count": 2'),
    );
    await runAgentos(
      engine.paths.home,
      ["skills", "add", "plants"],
      undefined,
      {
        INIT_CWD: work,
      },
    );
    const stricter = await runAgentos(engine.paths.home, [
      "skills",
      "test",
      "plants",
      "--replay",
      join(work, "plants.tape.json"),
    ]);
    assert.equal(stricter.code, 1, stricter.stdout);
    assert.match(stricter.stdout, /expected at least 2 records, got 1/);
    // The keyless run stopped before any request; the keyed ones sent the key.
    assert.ok(seen.every((request) => request.startsWith("GET /v1/plants")));
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
