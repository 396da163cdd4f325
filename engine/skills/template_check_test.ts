/**
 * The `skills add` / `skills validate` check of connections' auth
 * templates, with the engine's own grammar: every form the published
 * catalog and the test fixtures write is accepted; a template that could
 * isolate part of a key is refused at its connection's file and line.
 */
import assert from "node:assert/strict";
import { parseTemplate } from "../broker/mod.ts";
import type { ConnectionInfo, Discovery } from "./skill_discovery.ts";
import { templateProblems, type TemplateRule } from "./template_check.ts";

const rule: TemplateRule = (source) => {
  try {
    parseTemplate(source);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

function connection(
  name: string,
  auth: unknown,
  line: number,
): ConnectionInfo {
  return {
    name,
    base_url: `https://api.${name}.test`,
    domain: null,
    auth,
    description: null,
    label: null,
    help_url: null,
    optional: null,
    client: null,
    file: "api.py",
    line,
  };
}

function discovery(connections: ConnectionInfo[]): Discovery {
  return {
    front_matter: {},
    tools: [],
    connections,
    url_literals: [],
    imports: [],
    problems: [],
  };
}

Deno.test("templateProblems() accepts the catalog's templates: header, query and split body", () => {
  const skill = discovery([
    connection("bare", {
      type: "api_key",
      header: { "x-api-key": ".auth.key" },
    }, 3),
    connection("bearer", {
      type: "api_key",
      header: { Authorization: '"Bearer " + .auth.key' },
    }, 4),
    connection(
      "query",
      { type: "api_key", query: { api_key: ".auth.key" } },
      5,
    ),
    connection("split", {
      type: "api_key",
      body: {
        apikey: '.auth.key | split(":") | .[0]',
        secretapikey: '.auth.key | split(":") | .[1]',
      },
    }, 6),
    connection("cookies", { type: "cookies", domain: ".cookie.test" }, 7),
    connection("none", null, 8),
  ]);
  assert.deepEqual(templateProblems(skill, rule), []);
});

Deno.test("templateProblems() refuses a template that picks a character, at the connection's file and line", () => {
  const skill = discovery([
    connection("fine", { header: { "x-k": ".auth.key" } }, 3),
    connection("oracle", {
      header: {
        "x-c0": '.auth.key | split("") | .[0]',
        "x-ok": ".auth.key",
      },
      query: { q: ".auth.key | ascii_downcase" },
      body: { b: 42 },
    }, 9),
  ]);
  const problems = templateProblems(skill, rule);
  assert.deepEqual(
    problems.map((p) => [p.file, p.line, p.severity]),
    [["api.py", 9, "error"], ["api.py", 9, "error"], ["api.py", 9, "error"]],
  );
  assert.match(problems[0]!.reason, /^Connection "oracle" auth header "x-c0"/);
  assert.match(problems[1]!.reason, /auth query "q".*ascii_downcase/);
  assert.match(problems[2]!.reason, /auth body "b".*template string/);
});

Deno.test("every auth template in the test fixtures' skills is accepted", async () => {
  const root = new URL("../../tests/fixtures/skills/", import.meta.url);
  let seen = 0;
  for await (const skill of Deno.readDir(root)) {
    if (!skill.isDirectory) continue;
    for await (const file of Deno.readDir(new URL(`${skill.name}/`, root))) {
      if (!file.name.endsWith(".py")) continue;
      const text = await Deno.readTextFile(
        new URL(`${skill.name}/${file.name}`, root),
      );
      // A quoted Python string holding a template: '…auth.…' or ".auth.…".
      const quoted = /'([^'\n]*\.auth\.[^'\n]*)'|"(\.auth\.[^"\n]*)"/g;
      for (const [, single, double] of text.matchAll(quoted)) {
        const source = single ?? double!;
        assert.equal(
          rule(source),
          null,
          `${skill.name}/${file.name}: ${source}`,
        );
        seen++;
      }
    }
  }
  assert.ok(seen >= 6, `found ${seen} templates`);
});
