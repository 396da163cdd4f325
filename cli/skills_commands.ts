import type { Command } from "./command.ts";
import { callEngine } from "./engine_connection.ts";
import { CliError, ExitCode } from "./exit_codes.ts";
import { print, printJson, printTable } from "./output.ts";

const JSON_OPTION = { json: { type: "boolean" } } as const;

interface Problem {
  file: string;
  line: number | null;
  reason: string;
}

interface SkillView {
  id: string;
  name: string;
  description: string;
  origin: string;
  dir: string;
  enabled: boolean;
  needs: string[];
  connections: { name: string; base_url: string | null }[];
  tools: {
    name: string;
    description: string;
    params: { name: string; type: string | null; required: boolean }[];
    provides: string[];
    returns: unknown;
    timeout: number | null;
    tests: unknown[];
  }[];
  problems: Problem[];
}

/** `agentos skills list`. */
export const skillsList: Command = {
  name: "skills list",
  summary: "List installed skills with their tools, capabilities and problems",
  usage: "skills list [--json]",
  help: `Shows every skill (bundled and added), whether it is enabled, what it
declares it needs, the capabilities it provides, then each tool's parameters
(name: type, * = required), what it returns and its time limit, and every
problem found in a skill's source with file and line.

Options:
  --json   Print {skills: [...]} as the engine returns it`,
  options: JSON_OPTION,
  async run({ values }) {
    const { skills } = await callEngine<{ skills: SkillView[] }>("skills.list");
    if (values.json) {
      printJson({ skills });
      return ExitCode.Ok;
    }
    printTable(
      ["id", "enabled", "origin", "needs", "provides", "description"],
      skills.map((s) => [
        s.id,
        s.enabled ? "yes" : "no",
        s.origin,
        s.needs.join(", "),
        [...new Set(s.tools.flatMap((t) => t.provides))].join(", "),
        s.description,
      ]),
    );
    const tools = skills.flatMap((s) => s.tools.map((t) => ({ skill: s, t })));
    if (tools.length > 0) {
      print();
      printTable(
        ["skill", "tool", "params", "returns", "timeout", "tests"],
        tools.map(({ skill, t }) => [
          skill.id,
          t.name,
          t.params.map((p) =>
            `${p.name}${p.required ? "*" : ""}${p.type ? `: ${p.type}` : ""}`
          ).join(", "),
          typeof t.returns === "string"
            ? t.returns
            : t.returns
            ? "(inline schema)"
            : "",
          t.timeout === null ? "30s" : `${t.timeout}s`,
          t.tests.length,
        ]),
      );
    }
    const broken = skills.filter((s) => s.problems.length > 0);
    if (broken.length > 0) {
      print();
      print("Problems:");
      for (const skill of broken) {
        for (const p of skill.problems) {
          print(
            `  ${skill.id}: ${p.file}${
              p.line ? `:${p.line}` : ""
            }: ${p.reason}`,
          );
        }
      }
    }
    return ExitCode.Ok;
  },
};

/** `agentos skills add`. */
export const skillsAdd: Command = {
  name: "skills add",
  summary: "Add a skill directory (a snapshot of its readme.md and .py files)",
  usage: "skills add <dir> [--json]",
  help:
    `The engine reads the directory inside the sandbox and keeps a copy of its
readme.md and .py files in $AGENTOS_HOME/skills/<id>/. Edited the skill?
Add it again to update the copy. The path must be absolute.

Example:
  agentos skills add "$PWD/my-skill"`,
  options: JSON_OPTION,
  async run({ values, positionals }) {
    const dir = requireArg(positionals, 0, "dir");
    if (!dir.startsWith("/")) {
      throw new CliError(
        `Skill directory "${dir}" is a relative path`,
        ExitCode.Error,
        `Give an absolute path, e.g.: agentos skills add "$PWD/${dir}"`,
      );
    }
    const added = await callEngine<{
      id: string;
      updated: boolean;
      tools: string[];
      problems: Problem[];
    }>("skills.add", { path: dir.length > 1 ? dir.replace(/\/+$/, "") : dir });
    if (values.json) {
      printJson(added);
      return ExitCode.Ok;
    }
    print(
      `${added.updated ? "Updated" : "Added"} skill ${added.id} (tools: ${
        added.tools.join(", ") || "none"
      })`,
    );
    for (const p of added.problems) {
      print(`  problem: ${p.file}${p.line ? `:${p.line}` : ""}: ${p.reason}`);
    }
    return ExitCode.Ok;
  },
};

/** `agentos skills remove`. */
export const skillsRemove: Command = {
  name: "skills remove",
  summary: "Remove an added skill (the records it wrote stay)",
  usage: "skills remove <id>",
  async run({ positionals }) {
    const { id } = await callEngine<{ id: string }>("skills.remove", {
      id: requireArg(positionals, 0, "id"),
    });
    print(`Removed skill ${id}`);
    return ExitCode.Ok;
  },
};

function toggle(enable: boolean): Command {
  const verb = enable ? "enable" : "disable";
  return {
    name: `skills ${verb}`,
    summary: enable
      ? "Enable a skill"
      : "Disable a skill: it cannot run or provide capabilities",
    usage: `skills ${verb} <id>`,
    async run({ positionals }) {
      const { id } = await callEngine<{ id: string }>(`skills.${verb}`, {
        id: requireArg(positionals, 0, "id"),
      });
      print(`Skill ${id} ${verb}d`);
      return ExitCode.Ok;
    },
  };
}

/** `agentos skills enable`. */
export const skillsEnable: Command = toggle(true);
/** `agentos skills disable`. */
export const skillsDisable: Command = toggle(false);

/** `agentos skills run`. */
export const skillsRun: Command = {
  name: "skills run",
  summary: "Run one tool of one skill and print its result",
  usage: "skills run <skill> <tool> [params-json] [--no-remember] [--json]",
  help: `Runs the tool in a fresh sandboxed worker. Records it returns under
@returns("shape") are written to the graph unless --no-remember.

Options:
  --no-remember  Do not write the returned records to the graph
  --json         Print {result, records, callId, ms}

Example:
  agentos skills run web-reader read_page '{"url": "https://example.com/"}'`,
  options: { ...JSON_OPTION, "no-remember": { type: "boolean" } },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    const tool = requireArg(positionals, 1, "tool");
    const params = parseJsonObject(positionals[2], "params");
    const run = await callEngine<{
      result: unknown;
      records: { created: number; updated: number; warnings: string[] };
    }>("skills.run", {
      skill,
      tool,
      params,
      remember: !values["no-remember"],
    });
    if (values.json) {
      printJson(run);
      return ExitCode.Ok;
    }
    printJson(run.result);
    const { created, updated, warnings } = run.records;
    if (created + updated + warnings.length > 0) {
      print(`Records: ${created} created, ${updated} updated`);
      for (const warning of warnings) print(`  warning: ${warning}`);
    }
    return ExitCode.Ok;
  },
};

/** `agentos skills test`. */
export const skillsTest: Command = {
  name: "skills test",
  summary: "Run a skill's @test cases and print pass/fail per case",
  usage: "skills test <skill> [--tool T] [--json]",
  help:
    `Runs each @test case of the skill's tools (or of one tool) in the sandbox,
without writing records. A case passes when the tool returns without error
(and its result has no top-level "_error"). To test against local servers,
map the origins the skill calls: agentos prefs set http.origin_map '{...}'.

Exit codes: 0 all passed, 1 a case failed.`,
  options: { ...JSON_OPTION, tool: { type: "string" } },
  async run({ values, positionals }) {
    const skill = requireArg(positionals, 0, "skill");
    const report = await callEngine<{
      cases: {
        tool: string;
        case: number;
        status: string;
        ms?: number;
        error?: string;
        reason?: string;
      }[];
      passed: number;
      failed: number;
      skipped: number;
    }>("skills.test", { skill, tool: values.tool });
    if (values.json) printJson(report);
    else {
      printTable(
        ["tool", "case", "status", "ms", "detail"],
        report.cases.map((c) => [
          c.tool,
          c.case,
          c.status,
          c.ms,
          c.error ?? c.reason ?? "",
        ]),
      );
      print(
        `\n${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`,
      );
    }
    return report.failed > 0 ? ExitCode.Error : ExitCode.Ok;
  },
};

/** Every `agentos skills` command. */
export const SKILLS_COMMANDS: Command[] = [
  skillsList,
  skillsAdd,
  skillsRemove,
  skillsEnable,
  skillsDisable,
  skillsRun,
  skillsTest,
];

function requireArg(
  positionals: string[],
  index: number,
  name: string,
): string {
  const value = positionals[index];
  if (value === undefined || value === "") {
    throw new CliError(`Missing <${name}>`, ExitCode.Error, "See --help");
  }
  return value;
}

function parseJsonObject(
  text: string | undefined,
  what: string,
): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      `The ${what} are not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CliError(`The ${what} must be a JSON object, got ${text}`);
  }
  return value as Record<string, unknown>;
}
