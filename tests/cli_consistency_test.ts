/**
 * Issue #28 item 6, CLI consistency: `--json` errors are JSON on stdout
 * for every command, with the exit code; did-you-mean for options and RPC
 * methods; a group alone lists its subcommands; `prefs set` explains a
 * value that is not JSON; one skill-id rule; `mcp config --merge` keeps
 * what the client's config already holds; every `--help` example is a
 * command line the CLI accepts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runAgentos } from "./_cli.ts";
import { EngineProcess } from "./_engine_process.ts";
import { COMMANDS, findCommand, parseCommandArgs } from "../cli/mod.ts";

/** Splits a shell line into words, honouring single and double quotes. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g)) {
    words.push(m[1] ?? m[2] ?? m[3]!);
  }
  return words;
}

/** Each command's help examples: the lines under "Examples:". */
function helpExamples(): { command: string; line: string }[] {
  const examples: { command: string; line: string }[] = [];
  for (const command of COMMANDS) {
    const help = command.help ?? "";
    const at = help.indexOf("Examples:");
    if (at < 0) continue;
    for (const line of help.slice(at).split("\n").slice(1)) {
      if (!line.startsWith("  ")) break;
      examples.push({ command: command.name, line: line.trim() });
    }
  }
  return examples;
}

Deno.test("every --help example is one whole line the CLI accepts", () => {
  const examples = helpExamples();
  assert.ok(examples.length >= 20, `found ${examples.length} examples`);
  for (const { command, line } of examples) {
    // An example split by a newline inside a quote is not a command.
    const quotes = line.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, "");
    assert.ok(!/["']/.test(quotes), `${command}: unbalanced quote in: ${line}`);
    for (const part of line.split(/ \| /)) {
      const pipe = part.trim();
      if (pipe.startsWith("printf ")) {
        const [, format, ...args] = shellWords(pipe);
        const slots = format!.match(/%s/g)?.length ?? 0;
        assert.equal(slots, args.length, `printf's %s and values: ${line}`);
        const fields = (line.match(/--field /g) ?? []).length;
        if (fields > 1) {
          assert.equal(
            format!.match(/\\n/g)?.length,
            fields,
            `one line per field: ${line}`,
          );
        }
        continue;
      }
      if (!pipe.startsWith("agentos ")) continue;
      const words = shellWords(pipe.replace(/\s+(>|#).*$/, "")).slice(1);
      const found = findCommand(COMMANDS, words);
      assert.ok(found, `${command}: no command for: ${line}`);
      const rest = [...words];
      for (const word of found.name.split(" ")) {
        rest.splice(rest.indexOf(word), 1);
      }
      assert.doesNotThrow(
        () => parseCommandArgs(found, rest),
        `${command}: refused: ${line}`,
      );
    }
  }
});

Deno.test("CLI consistency: --json errors, did-you-mean, groups, prefs, ids, mcp config --merge", async (t) => {
  await t.step(
    "--json: an error is JSON on stdout, with its exit code, for any command",
    async () => {
      const home = await Deno.makeTempDir({ prefix: "agentos-nohome-" });
      try {
        const down = await runAgentos(home, ["graph", "list", "--json"]);
        assert.equal(down.code, 2);
        const json = JSON.parse(down.stdout);
        assert.equal(json.error.exitCode, 2);
        assert.match(json.error.message, /No engine answers/);
        const usage = await runAgentos(home, [
          "shapes",
          "list",
          "--jsn",
          "--json",
        ]);
        assert.equal(usage.code, 1);
        assert.equal(JSON.parse(usage.stdout).error.exitCode, 1);
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    },
  );

  await using engine = await EngineProcess.start({
    env: { AGENTOS_SPARE_WORKERS: "0" },
  });
  const home = engine.paths.home;

  await t.step("an engine error under --json carries its code", async () => {
    const run = await runAgentos(home, [
      "graph",
      "get",
      "nosuchnode",
      "--json",
    ]);
    assert.equal(run.code, 1);
    const { error } = JSON.parse(run.stdout);
    assert.equal(typeof error.code, "number");
    assert.equal(error.exitCode, 1);
  });

  await t.step("did you mean: options and RPC methods", async () => {
    const option = await runAgentos(home, ["graph", "list", "--jsn"]);
    assert.match(
      option.stderr,
      /Unknown option '--jsn' \(did you mean "--json"\?\)/,
    );
    const method = await runAgentos(home, ["call", "skills.lst"]);
    assert.equal(method.code, 1);
    assert.match(method.stderr, /did you mean "skills\.list"\?/);
  });

  await t.step("a group alone lists its subcommands only", async () => {
    const run = await runAgentos(home, ["graph"]);
    assert.match(run.stderr, /graph list/);
    assert.doesNotMatch(run.stderr, /engine start/);
  });

  await t.step(
    "prefs set http.origin_map with text that is not JSON",
    async () => {
      const run = await runAgentos(home, [
        "prefs",
        "set",
        "http.origin_map",
        "notjson",
      ]);
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /"http\.origin_map": An origin map must be a JSON object like .* got "notjson", which is not JSON/,
      );
      assert.doesNotMatch(run.stderr, /Unexpected token/);
    },
  );

  await t.step("skills new accepts the ids skills add accepts", async () => {
    const made = await runAgentos(
      home,
      ["skills", "new", "tea_time"],
      undefined,
      {
        INIT_CWD: home,
      },
    );
    assert.equal(made.code, 0, made.stderr);
    const added = await runAgentos(
      home,
      ["skills", "add", "tea_time"],
      undefined,
      {
        INIT_CWD: home,
      },
    );
    assert.equal(added.code, 0, added.stderr);
    const bad = await runAgentos(
      home,
      ["skills", "new", "Tea Time"],
      undefined,
      {
        INIT_CWD: home,
      },
    );
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /not a skill id: use lowercase letters, digits, "-" and "_"/,
    );
  });

  await t.step(
    "mcp config --merge keeps the client's other servers and settings",
    async () => {
      const file = join(home, "cursor", "mcp.json");
      await Deno.mkdir(join(home, "cursor"));
      await Deno.writeTextFile(
        file,
        JSON.stringify({
          theme: "dark",
          mcpServers: { other: { command: "/usr/bin/other", args: [] } },
        }),
      );
      const run = await runAgentos(home, [
        "mcp",
        "config",
        "--client",
        "cursor",
        "--merge",
        file,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const merged = JSON.parse(await Deno.readTextFile(file));
      assert.equal(merged.theme, "dark");
      assert.equal(merged.mcpServers.other.command, "/usr/bin/other");
      assert.equal(merged.mcpServers.agentos.env.AGENTOS_HOME, home);

      const broken = join(home, "cursor", "broken.json");
      await Deno.writeTextFile(broken, "{ not json");
      const refused = await runAgentos(home, [
        "mcp",
        "config",
        "--client",
        "cursor",
        "--merge",
        broken,
      ]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /is not valid JSON .*left unchanged/);
      assert.equal(await Deno.readTextFile(broken), "{ not json");
    },
  );
});
